// Bytes → text: BOM, then the XML declaration, then the Content-Type charset, then UTF-8.

// Windows-1252 code points for bytes 0x80–0x9F; Node 20 decodes the "windows-1252"/"iso-8859-1" labels as Latin-1.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

const WIN1252_LABELS = new Set([
  'windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1', 'us-ascii', 'ascii',
  'iso-ir-100', 'csisolatin1', 'ibm819', 'cp819', 'iso_8859-1:1987', 'ansi_x3.4-1968',
]);

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const end = Math.min(bytes.length, i + CHUNK);
    const codes = new Array<number>(end - i);
    for (let j = i; j < end; j++) {
      const b = bytes[j]!;
      codes[j - i] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b;
    }
    out += String.fromCharCode(...codes);
  }
  return out;
}

/** The charset named in a Content-Type header, lowercased, if any. */
export function charsetFromContentType(contentType: string | null | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

function charsetFromXmlDeclaration(bytes: Uint8Array): string | undefined {
  // The declaration is ASCII-compatible in every encoding we can act on; 200 bytes is plenty.
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(200, bytes.length)));
  const m = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return m ? m[1]!.toLowerCase() : undefined;
}

function decodeWith(label: string, bytes: Uint8Array): string {
  if (WIN1252_LABELS.has(label)) return decodeWindows1252(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // An unknown label: UTF-8 with replacement characters beats refusing the feed.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Decodes a feed body: BOM first, then the XML declaration's encoding, then the Content-Type charset, else UTF-8 (invalid bytes become U+FFFD). */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const label = charsetFromXmlDeclaration(bytes) ?? charsetFromContentType(contentType) ?? 'utf-8';
  // A UTF-16 declaration without a BOM on bytes we could read as ASCII is a lie: trust the bytes.
  if (label.startsWith('utf-16')) return new TextDecoder('utf-8').decode(bytes);
  return decodeWith(label, bytes);
}
