// Writes the app icons: public/icons/icon.svg and PNGs (192, 512; "any maskable"),
// rasterised here with an anti-aliased signed-distance shape so no image tool is needed.
// Run: node client/scripts/make-icons.mjs
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const out = new URL("../public/icons/", import.meta.url);
const BG = [29, 78, 216];
const FG = [255, 255, 255];

// Shapes in a 0..1 square: a chat bubble (rounded rectangle + tail) inside the maskable safe zone.
function roundedRect(x, y, cx, cy, hw, hh, r) {
  const dx = Math.abs(x - cx) - (hw - r);
  const dy = Math.abs(y - cy) - (hh - r);
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - r;
}
function tail(x, y) {
  // Triangle (0.30,0.60) (0.30,0.76) (0.44,0.60): distance approximated by half-planes.
  const d1 = 0.3 - x;
  const d2 = 0.6 - y;
  const d3 = ((x - 0.3) * 0.16 + (y - 0.76) * 0.14) / Math.hypot(0.16, 0.14);
  return Math.max(d1, d2, d3);
}
const bubble = (x, y) => Math.min(roundedRect(x, y, 0.5, 0.45, 0.24, 0.17, 0.1), tail(x, y));
const dot = (x, y, cx) => Math.hypot(x - cx, y - 0.45) - 0.028;
const shape = (x, y) => {
  const b = bubble(x, y);
  const dots = Math.min(dot(x, y, 0.4), dot(x, y, 0.5), dot(x, y, 0.6));
  return Math.max(b, -dots); // bubble minus three dots
};

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const d = shape((x + 0.5) / size, (y + 0.5) / size) * size;
      const a = Math.min(1, Math.max(0, 0.5 - d)); // coverage of the white shape
      const o = y * (size * 4 + 1) + 1 + x * 4;
      for (let i = 0; i < 3; i++) raw[o + i] = Math.round(BG[i] * (1 - a) + FG[i] * a);
      raw[o + 3] = 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512]) writeFileSync(new URL(`icon-${size}.png`, out), png(size));
writeFileSync(
  new URL("icon.svg", out),
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" aria-labelledby="t">
  <title id="t">Messenger</title>
  <rect width="100" height="100" rx="22" fill="#1d4ed8"/>
  <path fill="#fff" fill-rule="evenodd" d="M36 28h28a10 10 0 0 1 10 10v14a10 10 0 0 1-10 10H44L30 76V62.4A10 10 0 0 1 26 54V38a10 10 0 0 1 10-10z
    M40 45a2.8 2.8 0 1 0 0 .01zM50 45a2.8 2.8 0 1 0 0 .01zM60 45a2.8 2.8 0 1 0 0 .01z"/>
</svg>
`,
);
console.log("icons written to", out.pathname);
