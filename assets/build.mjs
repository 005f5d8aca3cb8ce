// Build the portal's GOV.UK Frontend assets into ../static/govuk/.
//
// Output (committed, so running and testing the portal never needs Node):
//   harmsportal.css               compiled from src/harmsportal.scss, compressed
//   govuk-frontend.min.js (+.map) GOV.UK Frontend's ES module bundle, unchanged
//   images/favicon.svg            the portal's own neutral icon (no crown, no GOV.UK logo)
//   LICENCE-govuk-frontend.txt    GOV.UK Frontend's MIT licence
//
// Run with `make assets` from the project root (npm ci, then this script).
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const frontendPackageJson = require.resolve("govuk-frontend/package.json");
const frontendRoot = path.dirname(frontendPackageJson);
const frontendDist = path.join(frontendRoot, "dist", "govuk");
const outDir = path.resolve(here, "..", "static", "govuk");

async function buildStyles() {
  const result = sass.compile(path.join(here, "src", "harmsportal.scss"), {
    style: "compressed",
    loadPaths: [path.join(here, "node_modules")],
    // Deprecation notices from inside GOV.UK Frontend are theirs to fix, not ours.
    quietDeps: true,
  });
  // Django's manifest storage rewrites every url() in CSS and fails on a missing file, so
  // refuse to write a stylesheet that points at anything we do not ship.
  const urls = [...result.css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]);
  const unexpected = urls.filter((u) => !u.startsWith("data:") && u !== "images/favicon.svg");
  if (unexpected.length) {
    throw new Error(`Stylesheet refers to files that are not shipped: ${unexpected.join(", ")}`);
  }
  if (/GDS Transport/.test(result.css)) {
    throw new Error("Stylesheet still names the GDS Transport typeface");
  }
  await writeFile(path.join(outDir, "harmsportal.css"), result.css + "\n");
}

async function copyScripts() {
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    await copyFile(path.join(frontendDist, name), path.join(outDir, name));
  }
}

async function copyImages() {
  await mkdir(path.join(outDir, "images"), { recursive: true });
  await copyFile(path.join(here, "src", "favicon.svg"), path.join(outDir, "images", "favicon.svg"));
}

async function writeLicence() {
  const pkg = JSON.parse(await readFile(frontendPackageJson, "utf8"));
  if (pkg.license !== "MIT") {
    throw new Error(`govuk-frontend ${pkg.version} is no longer MIT (${pkg.license}); review before shipping`);
  }
  // The npm package declares MIT but does not include the licence file, so the text is kept
  // in this folder, as published in the alphagov/govuk-frontend repository.
  const text = await readFile(path.join(here, "LICENCE-govuk-frontend.txt"), "utf8");
  const header = `GOV.UK Frontend ${pkg.version} (https://github.com/alphagov/govuk-frontend)\n\n`;
  await writeFile(path.join(outDir, "LICENCE-govuk-frontend.txt"), header + text);
}

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
await Promise.all([buildStyles(), copyScripts(), copyImages(), writeLicence()]);
console.log(`Built GOV.UK Frontend assets into ${path.relative(process.cwd(), outDir)}`);
