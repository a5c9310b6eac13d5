"""The export's pictures: a pool of distinct ones that attachments reuse, each with its path under
wp-content/uploads and its size, and (--media-dir) the pool written as small real JPEG and PNG files."""

import random
from pathlib import Path

IMAGE_SIZES = [(640, 360), (800, 600), (1024, 683), (1200, 800), (480, 640), (960, 540), (720, 480)]


def image_path(index):
    """The pool's picture `index` -> its path under wp-content/uploads, width, height."""
    width, height = IMAGE_SIZES[index % len(IMAGE_SIZES)]
    ext = "png" if index % 5 == 4 else "jpg"
    return f"{2009 + index % 17}/{index % 12 + 1:02d}/pic-{index}.{ext}", width, height


def write_media(media_dir, images=200):
    """The pool's pictures as small real files at media_dir/wp-content/uploads/... -> how many."""
    from PIL import Image, ImageDraw

    root = Path(media_dir) / "wp-content" / "uploads"
    for index in range(images):
        path, width, height = image_path(index)
        target = root / path
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        rng = random.Random(index)
        picture = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(picture)
        for _ in range(6):
            x, y = rng.randrange(width), rng.randrange(height)
            box = (x, y, min(width, x + rng.randrange(40, 300)), min(height, y + rng.randrange(40, 200)))
            draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
        if target.suffix == ".png":
            picture.quantize(16).save(target, optimize=True)
        else:
            picture.save(target, quality=60)
    return images
