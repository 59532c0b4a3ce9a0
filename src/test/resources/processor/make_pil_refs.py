# Reference outputs of PIL for the Java image processor's PIL-side steps, made with Pillow (Debian
# python3-pil) by the exact calls transformers makes:
#  - convert_to_rgb (transformers.image_transforms): RGB kept; otherwise convert("RGBA"),
#    alpha_composite over opaque white, convert("RGB");
#  - the PIL backend's resize: Image.resize((w, h), resample=BICUBIC, reducing_gap=None) of that RGB
#    image to smart_resize's size.
# Run: /usr/bin/python3 make_pil_refs.py pil   (writes in_*.png/jpg, rgb_*.png for non-RGB inputs,
#      resized_*.png, cases.json)
import json, math, os, sys
import numpy as np
from PIL import Image

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rng = np.random.RandomState(17)

def smart_resize(h, w, factor=28, min_pixels=56 * 56, max_pixels=28 * 28 * 1280):
    h_bar = round(h / factor) * factor
    w_bar = round(w / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((h * w) / max_pixels)
        h_bar = max(factor, math.floor(h / beta / factor) * factor)
        w_bar = max(factor, math.floor(w / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (h * w))
        h_bar = math.ceil(h * beta / factor) * factor
        w_bar = math.ceil(w * beta / factor) * factor
    return h_bar, w_bar

def convert_to_rgb(im):
    if im.mode == "RGB":
        return im
    rgba = im.convert("RGBA")
    bg = Image.new("RGBA", rgba.size, (255, 255, 255))
    return Image.alpha_composite(bg, rgba).convert("RGB")

def gradient(w, h, ch):
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 / w, yy * 255 / h, (xx + yy) * 127 / (w + h), (xx * 7 + yy * 3) % 256][:ch], -1)
    return np.clip(base + rng.randint(-40, 40, size=base.shape), 0, 255).astype(np.uint8)

images = {
    "rgba": Image.fromarray(gradient(61, 45, 4), "RGBA"),
    "gray": Image.fromarray(gradient(50, 33, 1)[..., 0], "L"),
    "gray_alpha": Image.fromarray(gradient(40, 52, 4)[..., [0, 3]], "LA"),
    "palette": Image.fromarray(gradient(47, 39, 3), "RGB").quantize(colors=32),
    "rgb_big": Image.fromarray(gradient(160, 110, 3), "RGB"),
    "rgb_tall": Image.fromarray(gradient(29, 150, 3), "RGB"),
    # 16-bit gray opens as mode "I"; its conversion clips at 255.
    "gray16": Image.fromarray((gradient(44, 30, 1)[..., 0].astype(np.uint16) * 3), "I;16"),
}
pal = images["palette"]
pal.info["transparency"] = 5  # palette index 5 fully transparent
cases = []
for name, (lo, hi) in {"rgba": (3136, 1003520), "gray": (3136, 1003520), "gray_alpha": (3136, 1003520),
                       "palette": (3136, 1003520), "gray16": (3136, 1003520), "rgb_big": (3136, 6000), "rgb_tall": (3136, 6000)}.items():
    im = images[name]
    im.save(os.path.join(OUT, f"in_{name}.png"))
    im = Image.open(os.path.join(OUT, f"in_{name}.png"))
    rgb = convert_to_rgb(im)
    if im.mode != "RGB":
        rgb.save(os.path.join(OUT, f"rgb_{name}.png"))
    h, w = smart_resize(rgb.height, rgb.width, min_pixels=lo, max_pixels=hi)
    rgb.resize((w, h), resample=Image.BICUBIC, reducing_gap=None).save(os.path.join(OUT, f"resized_{name}.png"))
    cases.append({"name": name, "mode": im.mode, "min_pixels": lo, "max_pixels": hi, "resized": [h, w]})
# JPEG (COCO / LVIS images): PIL's libjpeg decode, 4:2:0 and 4:4:4 chroma subsampling.
for name, sub in (("jpeg420", 2), ("jpeg444", 0)):
    Image.fromarray(gradient(72, 52, 3), "RGB").save(os.path.join(OUT, f"in_{name}.jpg"), quality=90, subsampling=sub)
    im = Image.open(os.path.join(OUT, f"in_{name}.jpg"))
    convert_to_rgb(im).save(os.path.join(OUT, f"rgb_{name}.png"))
    h, w = smart_resize(im.height, im.width)
    convert_to_rgb(im).resize((w, h), resample=Image.BICUBIC, reducing_gap=None).save(os.path.join(OUT, f"resized_{name}.png"))
    cases.append({"name": name, "file": f"in_{name}.jpg", "mode": im.mode, "min_pixels": 56 * 56,
                  "max_pixels": 28 * 28 * 1280, "resized": [h, w]})
json.dump({"pillow": Image.__version__ if hasattr(Image, "__version__") else __import__("PIL").__version__,
           "cases": cases}, open(os.path.join(OUT, "cases.json"), "w"), indent=1)
print(cases)

# in_cmyk.jpg / rgb_cmyk.png (CmykJpegTest): a 32x24 CMYK gradient saved by Pillow as JPEG (quality 95,
# Adobe marker, transform 0), and Image.open("in_cmyk.jpg").convert("RGB"). Made with:
#   c = x*255//31, m = y*255//23, y' = (x+y)*4 % 256, k = (x*y) % 97  (uint8, HxW = 24x32)
#   Image.fromarray(np.stack([c, m, y', k], -1), "CMYK").save("in_cmyk.jpg", quality=95)
