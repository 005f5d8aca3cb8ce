// Charts on the trends pages (templates/trends/_chart.html), drawn with the vendored Chart.js
// (static/trends/vendor/chart.umd.min.js, loaded just before this module).
//
// Progressive enhancement: each chart reads its figures from the cells of the table below it
// (their data-value), so it can never say more, or other, than the table, which is always there
// and complete. A figure shown as "<5" or "not shown" has no data-value and is left out; its bar
// keeps its label, marked with what the table shows. Without JavaScript, or if anything here
// fails, the figure elements stay hidden and the page reads fully from the tables.
//
// Every chart is a single series in one colour, so nothing depends on telling colours apart.

const BLUE = "#1d70b8"; // GOV.UK blue: 5.2:1 on white
const TEXT = "#0b0c0c";
const GRID = "#b1b4b6";
const NARROW = 480; // below this width, bar labels wrap shorter

function valueOf(cell) {
  const value = cell ? cell.dataset.value : "";
  return value === "" || value === undefined ? null : Number(value);
}

// What a cell shows when its figure is left out of the chart: "<5" or "not shown".
function shownAs(cell) {
  const visible = cell.querySelector("[aria-hidden='true']");
  return (visible || cell).textContent.trim();
}

function readTable(figure) {
  const table = document.getElementById(figure.dataset.table);
  if (!table || !table.tBodies.length) {
    return null;
  }
  const index = Number(figure.dataset.index);
  const labels = [];
  const values = [];
  if (figure.dataset.axis === "down") {
    const skip = new Set((figure.dataset.skip || "").split(" ").filter(Boolean));
    for (const row of table.tBodies[0].rows) {
      if (skip.has(row.dataset.key)) {
        continue;
      }
      const cell = row.cells[index + 1];
      const value = valueOf(cell);
      const label = row.cells[0].textContent.trim();
      labels.push(value === null ? `${label} (${shownAs(cell)})` : label);
      values.push(value);
    }
  } else {
    const row = table.tBodies[0].rows[index];
    const headings = table.tHead.rows[0].cells;
    const count = Number(figure.dataset.count || headings.length - 1);
    for (let column = 1; column <= count; column += 1) {
      labels.push(headings[column].textContent.trim());
      values.push(valueOf(row.cells[column]));
    }
  }
  if ("ranked" in figure.dataset) {
    // Largest first, zeros left out: a long list (every force) read at a glance.
    const bars = labels.map((label, i) => [label, values[i]]).filter(([, value]) => value !== 0);
    bars.sort((a, b) => (b[1] ?? -1) - (a[1] ?? -1));
    return { labels: bars.map(([label]) => label), values: bars.map(([, value]) => value) };
  }
  return { labels, values };
}

// Long labels wrap onto lines of at most `width` characters (Chart.js draws an array as lines).
function wrap(label, width) {
  const lines = [];
  let line = "";
  for (const word of label.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) {
    lines.push(line);
  }
  return lines;
}

// Figures are rounded to multiples of k (5): an axis of small ones steps by k, not by 1.
function countTicks(figure, data) {
  const k = Number(figure.dataset.k) || 5;
  return { precision: 0, stepSize: Math.max(...data.values) <= 10 * k ? k : undefined };
}

function barChart(figure, area, data) {
  const narrow = (area.clientWidth || figure.clientWidth) < NARROW;
  const labels = data.labels.map((label) => wrap(label, narrow ? 18 : 32));
  // Every bar gets the same room (Chart.js shares the axis equally), enough for the longest
  // label's lines (16px text, 14px on a phone), and the axis below.
  const line = narrow ? 17 : 19;
  const lines = Math.max(1, ...labels.map((label) => label.length));
  area.style.height = `${Math.max(160, 70 + labels.length * Math.max(30, lines * line + 12))}px`;
  return {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          data: data.values,
          backgroundColor: BLUE,
          borderColor: BLUE,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { beginAtZero: true, ticks: countTicks(figure, data), title: { display: true, text: "Reports" } },
        y: { grid: { display: false }, ticks: { autoSkip: false, font: { size: narrow ? 14 : 16 } } },
      },
    },
  };
}

function lineChart(figure, area, data) {
  area.style.height = `${(area.clientWidth || figure.clientWidth) < NARROW ? 240 : 300}px`;
  return {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          data: data.values,
          borderColor: BLUE,
          backgroundColor: BLUE,
          borderWidth: 3,
          pointRadius: 4,
          pointHoverRadius: 6,
          spanGaps: false,
        },
      ],
    },
    options: {
      scales: {
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { beginAtZero: true, ticks: countTicks(figure, data), title: { display: true, text: "Reports" } },
      },
    },
  };
}

function draw(figure) {
  const data = readTable(figure);
  // Nothing to draw: every figure is 0 or left out. The table says so.
  if (!data || !data.values.some((value) => value)) {
    return;
  }
  figure.hidden = false;
  const area = figure.querySelector(".app-chart__area");
  const config = figure.dataset.kind === "line" ? lineChart(figure, area, data) : barChart(figure, area, data);
  config.options = {
    ...config.options,
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      legend: { display: false },
      tooltip: {
        callbacks: {
          title: (items) => [].concat(items[0].label).join(" "),
          label: (item) => `${item.formattedValue} reports`,
        },
      },
    },
  };
  // eslint-disable-next-line no-new
  new window.Chart(figure.querySelector("canvas"), config);
}

if (window.Chart) {
  // The page's own font (Arial, from GOV.UK Frontend's styles), read from the text around the
  // charts: the body element itself keeps the browser's default.
  const text = document.querySelector(".govuk-body") || document.body;
  window.Chart.defaults.font.family = getComputedStyle(text).fontFamily;
  window.Chart.defaults.font.size = 16;
  window.Chart.defaults.color = TEXT;
  window.Chart.defaults.borderColor = GRID;
  for (const figure of document.querySelectorAll("[data-app-chart]")) {
    try {
      draw(figure);
    } catch (error) {
      figure.hidden = true; // the table is still there
      console.error(error);
    }
  }
}
