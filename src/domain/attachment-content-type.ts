import { fileTypeFromBuffer, supportedMimeTypes } from "file-type";

/**
 * Which content type an attachment is stored and served with: the one its bytes show, not
 * the one the uploader claimed. The rules, in order:
 *
 * 1. Bytes with a known signature (file-type: images, PDF, archives, office files,
 *    executables…) are stored as what they are, whatever was claimed. pysnow, for one,
 *    claims text/plain for every file when python-magic is missing.
 * 2. Except that an executable (or installer) arriving under any other specific type is
 *    refused: that is a disguise, and whoever downloads it trusting the claim gets a program.
 * 3. Text formats recognised by their first characters (an XML prolog) keep a claimed text or
 *    XML type, so an SVG stays image/svg+xml.
 * 4. Bytes without a known signature keep the claimed type only if that type has no
 *    signature of its own (text/plain, text/csv, application/json, text/html…); a claim of,
 *    say, image/png over bytes that are not PNG becomes application/octet-stream.
 *
 * Whatever is stored, downloads are served as `attachment` with nosniff and a sandboxing
 * CSP, so even an honest text/html or image/svg+xml file never runs in the instance's origin.
 */
export const genericType = "application/octet-stream";

export type ContentTypeVerdict = { ok: true; contentType: string } | { ok: false; claimed: string; detected: string };

const executableTypes = new Set([
  "application/x-msdownload",
  "application/x-elf",
  "application/x-mach-binary",
  "application/vnd.microsoft.portable-executable",
  "application/x-msi",
  "application/x-apple-diskimage",
  "application/vnd.android.package-archive",
  "application/x-sharedlib",
  "application/x-executable",
  "application/wasm",
  "application/java-vm",
  "application/java-archive",
]);

/**
 * Text formats file-type recognises by their first characters (an XML prolog, BEGIN:VCARD):
 * a text or XML claim over them is believed, so an SVG stays image/svg+xml.
 */
const isTextual = (type: string) => type.startsWith("text/") || type === "application/xml";
const believableOverText = (claimed: string) => claimed.startsWith("text/") || /[/+]xml$/.test(claimed);

const signatureTypes = new Set<string>([...supportedMimeTypes].filter((type) => !isTextual(type)));

const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The claimed type without parameters, lowercased; the generic type when absent or malformed. */
export function essence(claimed: string | undefined): string {
  const bare = (claimed ?? "").split(";")[0]!.trim().toLowerCase();
  return mimePattern.test(bare) ? bare : genericType;
}

/** A charset parameter survives for text types; everything else is dropped. */
function withCharset(type: string, claimed: string | undefined): string {
  const charset = /;\s*charset="?([a-z0-9_.:-]{1,40})"?/i.exec(claimed ?? "")?.[1];
  return charset && (type.startsWith("text/") || type === "application/json") ? `${type}; charset=${charset.toLowerCase()}` : type;
}

export async function checkedContentType(bytes: Uint8Array, claimedHeader: string | undefined): Promise<ContentTypeVerdict> {
  const claimed = essence(claimedHeader);
  const detected = (await fileTypeFromBuffer(bytes))?.mime;
  if (detected) {
    if (executableTypes.has(detected) && claimed !== detected && claimed !== genericType) return { ok: false, claimed, detected };
    if (isTextual(detected) && believableOverText(claimed)) return { ok: true, contentType: withCharset(claimed, claimedHeader) };
    return { ok: true, contentType: detected };
  }
  if (signatureTypes.has(claimed)) return { ok: true, contentType: genericType };
  return { ok: true, contentType: withCharset(claimed, claimedHeader) };
}
