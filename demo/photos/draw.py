"""Draw the demo rooms' illustrations (flat colours, 800 × 500 WebP): ``python demo/photos/draw.py``.

The pictures are drawn here from rectangles, ellipses and polygons only, so they are the project's own work,
free to use (CC0, see README.md). Running it again writes the same files.
"""

from pathlib import Path

from PIL import Image, ImageDraw

W, H = 800, 500
HERE = Path(__file__).resolve().parent

INK = "#2f3b45"
WOOD = "#c8925a"
WOOD_DARK = "#a06e3c"
PLANT = "#4f9a6b"
PLANT_DARK = "#3a7a52"
WHITE = "#fbfaf7"


def canvas(wall: str, floor: str, horizon: int = 360) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (W, H), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, horizon, W, H], fill=floor)
    draw.rectangle([0, horizon - 6, W, horizon], fill=_shade(wall, -18))
    return image, draw


def _shade(colour: str, amount: int) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{max(0, min(255, c + amount)):02x}" for c in (r, g, b))


def window(draw, x, y, w, h, sky="#bfe3f2"):
    draw.rectangle([x, y, x + w, y + h], fill=WHITE)
    draw.rectangle([x + 8, y + 8, x + w - 8, y + h - 8], fill=sky)
    draw.rectangle([x + w // 2 - 3, y + 8, x + w // 2 + 3, y + h - 8], fill=WHITE)
    draw.ellipse([x + 20, y + h - 60, x + 90, y + h - 30], fill=WHITE)


def plant(draw, x, base):
    draw.polygon([(x - 18, base - 40), (x + 18, base - 40), (x + 13, base), (x - 13, base)], fill="#d9774b")
    for dx, dy, r in ((0, -85, 26), (-22, -65, 20), (22, -65, 20)):
        draw.ellipse([x + dx - r, base + dy - r, x + dx + r, base + dy + r], fill=PLANT)
    draw.ellipse([x - 10, base - 110, x + 14, base - 86], fill=PLANT_DARK)


def lamp(draw, x, y, colour="#f2c14e"):
    draw.line([x, 0, x, y], fill=INK, width=3)
    draw.polygon([(x - 28, y + 26), (x + 28, y + 26), (x + 14, y), (x - 14, y)], fill=colour)


def meeting_room():
    image, draw = canvas("#e8eef2", "#b9c4cc")
    window(draw, 40, 60, 220, 200)
    draw.rectangle([320, 70, 600, 230], fill=INK)  # screen
    draw.rectangle([332, 82, 588, 218], fill="#6fb3c8")
    draw.rectangle([350, 110, 470, 125], fill=WHITE)
    draw.rectangle([350, 140, 560, 150], fill="#d8eef4")
    draw.rectangle([350, 162, 520, 172], fill="#d8eef4")
    draw.polygon([(500, 200), (530, 150), (560, 180), (585, 120), (585, 200)], fill="#f2c14e")
    draw.rectangle([640, 90, 760, 250], fill=WHITE)  # whiteboard
    draw.line([655, 120, 740, 120], fill="#e0685a", width=4)
    draw.line([655, 145, 720, 145], fill="#4f7fbf", width=4)
    draw.line([655, 170, 745, 170], fill="#4f7fbf", width=4)
    for x in (200, 300, 400, 500, 600):  # chair backs behind the table
        draw.rounded_rectangle([x, 285, x + 56, 372], radius=14, fill="#e0685a")
        draw.rounded_rectangle([x + 6, 291, x + 50, 340], radius=10, fill="#ea8a7e")
    draw.rectangle([150, 360, 680, 385], fill=WOOD)  # table
    draw.rectangle([150, 385, 680, 395], fill=WOOD_DARK)
    draw.rectangle([180, 395, 195, 470], fill=WOOD_DARK)
    draw.rectangle([635, 395, 650, 470], fill=WOOD_DARK)
    draw.rectangle([300, 340, 360, 360], fill="#9fb0bc")  # laptop
    draw.polygon([(300, 340), (360, 340), (368, 300), (308, 300)], fill="#607080")
    draw.ellipse([450, 344, 472, 360], fill=WHITE)
    plant(draw, 740, 470)
    return image


def seminar_room():
    image, draw = canvas("#f1ebe1", "#c9b79c", horizon=330)
    draw.rectangle([230, 40, 570, 230], fill=WHITE)  # projection screen
    draw.rectangle([230, 40, 570, 52], fill=INK)
    draw.rectangle([260, 80, 430, 100], fill="#4f7fbf")
    for i, width in enumerate((260, 220, 240)):
        draw.rectangle([260, 120 + i * 26, 260 + width, 132 + i * 26], fill="#c7d6ea")
    draw.rectangle([80, 220, 150, 330], fill=WOOD)  # lectern
    draw.polygon([(70, 220), (160, 220), (150, 200), (80, 200)], fill=WOOD_DARK)
    draw.line([115, 200, 125, 170], fill=INK, width=3)
    draw.ellipse([120, 162, 134, 176], fill=INK)
    colours = ("#4f7fbf", "#5b8fd0", "#4f7fbf")
    for row, (y, size) in enumerate(((380, 1.0), (430, 1.15), (485, 1.3))):
        step = int(95 * size)
        for x in range(40 + row * 20, W - 40, step):
            seat_w, seat_h = int(60 * size), int(40 * size)
            draw.rounded_rectangle([x, y - seat_h - 30, x + seat_w, y - seat_h], radius=8, fill=colours[row])
            draw.rectangle([x, y - seat_h, x + seat_w, y - seat_h + 14], fill=_shade(colours[row], -25))
    lamp(draw, 660, 60)
    return image


def gallery():
    image, draw = canvas("#fbfaf7", "#d8d2c8", horizon=380)
    for x in (120, 400, 680):
        draw.polygon([(x - 10, 0), (x + 10, 0), (x + 40, 40), (x - 40, 40)], fill="#dcd6cc")
        draw.polygon([(x - 40, 40), (x + 40, 40), (x + 110, 330), (x - 110, 330)], fill="#f6f1e6")
    frames = [
        (60, 110, 240, 260, "#e0685a", "#f2c14e"),
        (320, 90, 480, 280, "#4f7fbf", "#6fb3c8"),
        (560, 120, 750, 250, "#4f9a6b", "#f2c14e"),
    ]
    for x0, y0, x1, y1, a, b in frames:
        draw.rectangle([x0, y0, x1, y1], fill=INK)
        draw.rectangle([x0 + 10, y0 + 10, x1 - 10, y1 - 10], fill=WHITE)
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        draw.ellipse([cx - 45, cy - 50, cx + 25, cy + 20], fill=a)
        draw.polygon([(x0 + 20, y1 - 20), (cx, cy - 10), (x1 - 20, y1 - 20)], fill=b)
        draw.rectangle([cx - 14, y1 + 14, cx + 14, y1 + 20], fill="#b9b2a6")
    draw.rectangle([290, 410, 510, 430], fill=WOOD)  # bench
    draw.rectangle([305, 430, 320, 470], fill=WOOD_DARK)
    draw.rectangle([480, 430, 495, 470], fill=WOOD_DARK)
    draw.ellipse([600, 300, 640, 340], fill=INK)  # a visitor
    draw.rounded_rectangle([592, 338, 648, 450], radius=18, fill="#e0685a")
    draw.rectangle([600, 450, 614, 480], fill=INK)
    draw.rectangle([626, 450, 640, 480], fill=INK)
    return image


def studio():
    image, draw = canvas("#39424b", "#2b3238", horizon=390)
    draw.rectangle([220, 40, 600, 420], fill="#7cc6a4")  # backdrop
    draw.rectangle([220, 40, 600, 56], fill=INK)
    draw.polygon([(220, 390), (600, 390), (640, 440), (180, 440)], fill="#6ab892")
    for x, flip in ((110, 1), (690, -1)):  # softboxes
        draw.line([x, 200, x, 470], fill="#9aa5ae", width=5)
        draw.line([x, 470, x - 30, 490], fill="#9aa5ae", width=4)
        draw.line([x, 470, x + 30, 490], fill="#9aa5ae", width=4)
        draw.polygon(
            [(x - 60 * flip, 110), (x + 20 * flip, 150), (x + 20 * flip, 250), (x - 60 * flip, 290)], fill=WHITE
        )
        draw.polygon([(x + 20 * flip, 150), (x + 40 * flip, 180), (x + 40 * flip, 220), (x + 20 * flip, 250)], fill=INK)
    draw.line([400, 300, 400, 470], fill="#9aa5ae", width=6)  # camera on tripod
    draw.line([400, 440, 350, 490], fill="#9aa5ae", width=5)
    draw.line([400, 440, 450, 490], fill="#9aa5ae", width=5)
    draw.rounded_rectangle([340, 240, 460, 310], radius=10, fill=INK)
    draw.ellipse([445, 250, 505, 300], fill="#1d2328")
    draw.ellipse([460, 262, 490, 288], fill="#5e7fa8")
    draw.rectangle([360, 225, 400, 240], fill=INK)
    draw.ellipse([362, 254, 378, 270], fill="#e0685a")
    return image


def coworking():
    image, draw = canvas("#f4efe4", "#cdb89a")
    window(draw, 30, 50, 180, 220)
    window(draw, 590, 50, 180, 220)
    for x in (300, 420, 540):
        lamp(draw, x, 90)
    draw.rectangle([60, 330, 740, 350], fill=WOOD)  # long desk
    draw.rectangle([80, 350, 95, 460], fill=WOOD_DARK)
    draw.rectangle([705, 350, 720, 460], fill=WOOD_DARK)
    for i, x in enumerate((130, 300, 470, 620)):
        colour = ("#4f7fbf", "#e0685a", "#4f9a6b", "#f2c14e")[i]
        draw.ellipse([x + 10, 200, x + 60, 250], fill=INK)  # person
        draw.rounded_rectangle([x, 248, x + 70, 330], radius=16, fill=colour)
        draw.polygon([(x - 15, 330), (x + 45, 330), (x + 52, 290), (x - 8, 290)], fill="#9fb0bc")  # laptop
        draw.ellipse([x + 80, 314, x + 98, 330], fill=WHITE)  # cup
    plant(draw, 400, 300)
    return image


def webtoon_lab():
    image, draw = canvas("#eaf1f7", "#aebfcc")
    panels = [(40, 50, 200, 160), (210, 50, 330, 160), (40, 170, 330, 260)]
    for x0, y0, x1, y1 in panels:  # storyboard wall
        draw.rectangle([x0, y0, x1, y1], fill=WHITE, outline=INK, width=4)
    draw.ellipse([80, 80, 130, 130], fill="#f2c14e")
    draw.ellipse([230, 75, 300, 115], fill=WHITE, outline=INK, width=3)  # speech bubble
    draw.polygon([(250, 112), (262, 112), (245, 135)], fill=INK)
    draw.polygon([(60, 250), (140, 190), (200, 240), (260, 200), (320, 250)], fill="#6fb3c8")
    for x in (400, 600):  # desks with tablets and screens
        draw.rectangle([x - 20, 230, x + 160, 330], fill=INK)
        draw.rectangle([x - 10, 240, x + 150, 320], fill="#fbe3d6")
        draw.ellipse([x + 40, 255, x + 90, 305], fill="#e0685a")
        draw.arc([x + 20, 250, x + 130, 310], 200, 340, fill=INK, width=3)
        draw.rectangle([x + 60, 330, x + 80, 360], fill=INK)
        draw.rectangle([x - 40, 360, x + 180, 380], fill=WOOD)
        draw.polygon([(x, 355), (x + 120, 355), (x + 130, 345), (x + 10, 345)], fill="#607080")  # tablet
        draw.line([x + 100, 320, x + 125, 350], fill="#f2c14e", width=5)  # stylus
        draw.rectangle([x - 30, 380, x - 18, 470], fill=WOOD_DARK)
        draw.rectangle([x + 158, 380, x + 170, 470], fill=WOOD_DARK)
    plant(draw, 80, 470)
    return image


def maker_space():
    image, draw = canvas("#e9e5dc", "#9aa0a3")
    draw.rectangle([40, 60, 380, 260], fill="#c9b79c")  # pegboard
    for x in range(60, 380, 30):
        for y in range(80, 260, 30):
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=WOOD_DARK)
    draw.rectangle([80, 100, 92, 200], fill=INK)  # tools
    draw.rectangle([70, 92, 102, 110], fill="#e0685a")
    draw.rectangle([140, 110, 150, 220], fill=INK)
    draw.polygon([(130, 100), (160, 100), (150, 120), (140, 120)], fill="#4f7fbf")
    draw.arc([190, 100, 260, 170], 0, 300, fill=INK, width=8)
    draw.rectangle([290, 100, 350, 130], fill="#f2c14e")
    draw.rectangle([300, 130, 340, 210], fill="#f2c14e")
    draw.rectangle([460, 110, 700, 330], fill=INK)  # 3D printer
    draw.rectangle([480, 130, 680, 310], fill="#dfe7ec")
    draw.rectangle([480, 170, 680, 180], fill="#607080")
    draw.rectangle([560, 180, 600, 205], fill="#e0685a")
    draw.polygon([(545, 300), (615, 300), (600, 240), (560, 240)], fill="#4f9a6b")
    draw.rectangle([500, 300, 660, 310], fill="#607080")
    draw.rectangle([30, 330, 770, 360], fill=WOOD)  # workbench
    draw.rectangle([60, 360, 80, 470], fill=WOOD_DARK)
    draw.rectangle([720, 360, 740, 470], fill=WOOD_DARK)
    draw.rectangle([150, 300, 260, 330], fill="#4f7fbf")  # toolbox
    draw.rectangle([185, 288, 225, 300], fill=INK)
    return image


def sound_room():
    image, draw = canvas("#4a4f6a", "#3a3f55", horizon=380)
    colours = ("#5b6184", "#6a7094")
    for row in range(4):  # acoustic panels
        for col in range(8):
            x, y = 30 + col * 95, 30 + row * 80
            draw.rectangle([x, y, x + 85, y + 70], fill=colours[(row + col) % 2])
    draw.rectangle([500, 250, 760, 380], fill=INK)  # upright piano
    draw.rectangle([510, 300, 750, 320], fill=WHITE)
    for x in range(520, 750, 22):
        draw.rectangle([x, 300, x + 10, 312], fill=INK)
    draw.rectangle([520, 380, 535, 450], fill=INK)
    draw.rectangle([725, 380, 740, 450], fill=INK)
    draw.line([250, 230, 250, 470], fill="#c7ccd6", width=6)  # microphone stand
    draw.line([250, 470, 200, 490], fill="#c7ccd6", width=5)
    draw.line([250, 470, 300, 490], fill="#c7ccd6", width=5)
    draw.rounded_rectangle([225, 150, 275, 240], radius=24, fill="#c7ccd6")
    for y in range(165, 230, 14):
        draw.line([232, y, 268, y], fill="#8a90a0", width=3)
    draw.ellipse([150, 130, 350, 260], outline="#f2c14e", width=5)  # pop filter ring
    draw.rectangle([60, 330, 180, 380], fill="#e0685a")  # amplifier
    draw.ellipse([95, 338, 145, 372], fill=INK)
    return image


PICTURES = {
    "meeting-room": meeting_room,
    "seminar-room": seminar_room,
    "gallery": gallery,
    "studio": studio,
    "coworking": coworking,
    "webtoon-lab": webtoon_lab,
    "maker-space": maker_space,
    "sound-room": sound_room,
}


def main() -> None:
    for name, draw_picture in PICTURES.items():
        path = HERE / f"{name}.webp"
        draw_picture().save(path, "WEBP", quality=82, method=6)
        print(f"{path.name}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
