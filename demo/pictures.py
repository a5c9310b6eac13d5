"""The demo's pictures, drawn with Pillow (no network, no files shipped): featured images and avatars."""

import io
import random

from PIL import Image, ImageDraw, ImageFont

IMAGE_SIZE = (1200, 675)
AVATAR_SIZE = (192, 192)

# (colour from, colour to, accent) for the generated featured images and avatars.
PALETTES = [
    ((20, 33, 61), (252, 163, 17), (229, 229, 229)),
    ((38, 70, 83), (42, 157, 143), (233, 196, 106)),
    ((69, 123, 157), (168, 218, 220), (230, 57, 70)),
    ((58, 12, 163), (247, 37, 133), (76, 201, 240)),
    ((0, 48, 73), (214, 40, 40), (252, 191, 73)),
    ((34, 34, 59), (154, 140, 152), (242, 233, 228)),
    ((6, 71, 137), (17, 138, 178), (255, 209, 102)),
    ((40, 54, 24), (96, 108, 56), (254, 250, 224)),
    ((51, 65, 92), (239, 131, 84), (238, 238, 238)),
    ((16, 0, 43), (90, 24, 154), (224, 170, 255)),
    ((3, 4, 94), (0, 180, 216), (202, 240, 248)),
    ((73, 80, 87), (173, 181, 189), (255, 107, 107)),
]
COLOUR_NAMES = ["navy and amber", "teal and sand", "steel blue and red", "violet and pink", "dark blue and red",
                "slate and blush", "ocean blue and yellow", "olive and cream", "slate and orange",
                "deep purple and lilac", "midnight and cyan", "grey and coral"]  # fmt: skip
SHAPES = ["circles", "stripes", "triangles", "squares"]


def featured_image_alt(number):
    """The alt text of pool image `number`: what featured_image_bytes(number) draws."""
    colours, shapes = COLOUR_NAMES[number % len(COLOUR_NAMES)], SHAPES[number % len(SHAPES)]
    return f"Abstract illustration: translucent {shapes} on a {colours} gradient, with the number {number}."


def _font(size):
    """Pillow's built-in scalable font, or its bitmap font without FreeType."""
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError, TypeError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def _gradient(size, colour_from, colour_to, angle):
    """An image of `size` fading from `colour_from` to `colour_to` along `angle` degrees."""
    # Rotate a small square gradient and cut the middle out, then scale it up: a smooth
    # gradient loses nothing at low resolution, and rotating it small is fast.
    small = (max(2, size[0] // 8), max(2, size[1] // 8))
    side = max(small) * 2
    mask = Image.linear_gradient("L").resize((side, side)).rotate(angle, resample=Image.Resampling.BILINEAR)
    left, top = (side - small[0]) // 2, (side - small[1]) // 2
    mask = mask.crop((left, top, left + small[0], top + small[1])).resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, colour_to), Image.new("RGB", size, colour_from), mask)


def featured_image_bytes(number):
    """JPEG bytes of pool image `number`: a gradient with geometric shapes and the number drawn on."""
    rng = random.Random(f"featured-image:{number}")
    colour_from, colour_to, accent = PALETTES[number % len(PALETTES)]
    image = _gradient(IMAGE_SIZE, colour_from, colour_to, rng.randrange(0, 360))
    draw = ImageDraw.Draw(image, "RGBA")
    width, height = IMAGE_SIZE
    shape = SHAPES[number % len(SHAPES)]
    for _ in range(rng.randint(6, 12)):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randint(30, 160)
        fill = (*accent, rng.randint(50, 140))
        if shape == "circles":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif shape == "stripes":
            draw.line((x - 3 * r, height, x + 3 * r, 0), fill=fill, width=r // 3)
        elif shape == "triangles":
            draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=fill)
        else:
            draw.rectangle((x - r, y - r, x + r, y + r), fill=fill)
    draw.text((70, height - 240), f"{number:02d}", font=_font(180), fill=(255, 255, 255, 230))
    draw.text((80, 60), "BYLINE DEMO", font=_font(40), fill=(255, 255, 255, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def avatar_bytes(name, index):
    """PNG bytes of a small avatar: the initials of `name` on a coloured disc."""
    colour_from, colour_to, accent = PALETTES[(index * 5) % len(PALETTES)]
    image = _gradient(AVATAR_SIZE, colour_from, colour_to, 45)
    draw = ImageDraw.Draw(image)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    draw.ellipse((16, 16, AVATAR_SIZE[0] - 16, AVATAR_SIZE[1] - 16), outline=accent, width=6)
    draw.text((AVATAR_SIZE[0] // 2, AVATAR_SIZE[1] // 2), initials, font=_font(72), fill=accent, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
