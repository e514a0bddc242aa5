/**
 * PNG output of the whole-MGE picture through pngjs (a maintained encoder; zlib deflate). The picture
 * is written without an alpha channel (colour type 2), which is about a quarter smaller, with the "Up"
 * row filter only: measured on the 6000×2000 ResNet-20 picture it costs 0.72 s of CPU for 5.86 MiB,
 * against 1.38 s for 5.84 MiB with pngjs's default of trying all five filters per row. O(W·H).
 */
import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** PNG bytes of an RGBA image. @throws when the buffer does not hold width·height·4 bytes. */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, rgba } = image;
  if (rgba.length !== width * height * 4) throw new Error(`notebook/mge-picture: ${rgba.length} bytes for a ${width}×${height} RGBA image`);
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true, deflateLevel: 6, filterType: 2 });
}

/** Writes `image` as a PNG file. */
export function writePng(file: string, image: RgbaImage): void {
  writeFileSync(file, encodePng(image));
}
