"""reports_image_pipeline: what accepting a phone photo as evidence costs over a bare re-encode.

The workload is a 12-megapixel (4000x3000) photo-like JPEG carrying EXIF with GPS, built in
memory from gradients and noise so it compresses like a real photo (a few MB). The pipeline is
everything the server does with an upload: `inspect_upload` (libmagic, container walk, pixel
limit, Pillow verify and a full entropy decode, SHA-256), `make_viewing_copy` (upright,
metadata-free, ~3 MP) and `store_encrypted` of both the original and the copy (Fernet, fsync,
atomic rename) into a temporary MEDIA_ROOT. The baseline is the least any server touching the
image would do: Pillow `Image.open` + `save(JPEG)` of the same bytes at full size.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path

from bench import BenchResult, median

NAME = "reports_image_pipeline"
TARGET = 2.0
ROUNDS = int(os.environ.get("BENCH_IMAGE_ROUNDS", "7"))
SIZE = (4000, 3000)


def photo_with_gps(size: tuple[int, int] = SIZE) -> bytes:
    from PIL import ExifTags, Image

    base = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
            Image.radial_gradient("L").resize(size),
        ),
    )
    grain = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    picture = Image.blend(base, grain, 0.25)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchCam"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(0x8825)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 47.0, 55.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 32.0, 57.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run() -> BenchResult:
    from cryptography.fernet import Fernet
    from django.test import override_settings
    from PIL import Image

    from reports.evidence import inspect_upload, make_viewing_copy, store_encrypted

    data = photo_with_gps()
    copy_size: tuple[int, int] = (0, 0)

    def pipeline() -> None:
        nonlocal copy_size
        accepted = inspect_upload(data, filename="IMG_0001.JPG")
        copy, _mime = make_viewing_copy(data)
        store_encrypted(data)
        store_encrypted(copy)
        assert accepted.kind == "image"
        copy_size = Image.open(io.BytesIO(copy)).size

    def baseline() -> None:
        Image.open(io.BytesIO(data)).save(io.BytesIO(), "JPEG")

    with (
        tempfile.TemporaryDirectory(prefix="harmsportal-bench-evidence-") as scratch,
        override_settings(
            MEDIA_ROOT=Path(scratch) / "private",
            HARMSPORTAL_EVIDENCE_KEYS=[Fernet.generate_key().decode()],
        ),
    ):
        pipeline()  # warm: libmagic's database, the key ring, Pillow's plugins
        baseline()
        ratios, pipeline_times, baseline_times = [], [], []
        for index in range(ROUNDS):
            # Alternate which goes first, so drift during a round favours neither side.
            if index % 2:
                pipeline_s, baseline_s = _seconds(pipeline), _seconds(baseline)
            else:
                baseline_s, pipeline_s = _seconds(baseline), _seconds(pipeline)
            ratios.append(pipeline_s / baseline_s)
            pipeline_times.append(pipeline_s)
            baseline_times.append(baseline_s)

    return BenchResult(
        name=NAME,
        ratio=median(ratios),
        op="<=",
        target=TARGET,
        details=(
            f"pipeline {median(pipeline_times) * 1000:.0f} ms, "
            f"baseline open+save {median(baseline_times) * 1000:.0f} ms; "
            f"{SIZE[0]}x{SIZE[1]} JPEG {len(data) / 1_000_000:.1f} MB with GPS, "
            f"viewing copy {copy_size[0]}x{copy_size[1]}; median of {ROUNDS} rounds"
        ),
    )
