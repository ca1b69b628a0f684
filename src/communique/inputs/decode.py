"""Bytes to text: byte-order marks, a declared charset, UTF-8, else a detected encoding.

Files from older archives are often in a legacy encoding (windows-1251 for Russian,
latin-1 or windows-1252 for Western European text) and Windows tools write UTF-16
with a byte-order mark. The order of trust:

1. a byte-order mark (UTF-32, UTF-16, UTF-8), which names the encoding for certain;
2. UTF-8, when the bytes are valid UTF-8 and NUL bytes are no more than strays (text
   in another encoding is almost never valid UTF-8, and declarations are often wrong);
3. a charset the input declares (an HTTP header, an HTML ``<meta charset>``), when the
   bytes decode with it;
4. charset-normalizer's detection among the common legacy encodings; of its
   readings, the one that reads most like a language (py3langid), so Turkish in
   windows-1254 is not taken for windows-1252, nor KOI8-R Russian for Thai.

Only what is really binary is refused: a file that starts like a known binary
format, that no encoding decodes, or whose decoded text is mostly control
characters. A stray NUL or other control character in otherwise good text
becomes a space. Line ends become ``\\n``.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

from communique.inputs.article import InputProblem
from communique.text.language import language_confidence

#: share of control characters above which decoded "text" is taken for binary data
BINARY_CONTROL_SHARE = 0.10

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
#: signatures that could also begin real text (``BZh``, ``{\rtf``) need more evidence
_WEAK_SIGNATURES = {b"BZh", b"{\\rtf"}

#: encodings worth detecting, the most common first (the order breaks ties); old DOS,
#: EBCDIC and Mac code pages are left out: they "decode" anything and are rarely right
LEGACY_ENCODINGS = (
    "cp1252", "cp1251", "cp1250", "cp1254", "latin_1", "iso8859_15", "iso8859_2",
    "koi8_r", "cp1253", "cp1256", "cp1255", "cp1257", "cp1258", "iso8859_9", "koi8_u",
    "cp866", "iso8859_5", "iso8859_7", "gb18030", "big5", "shift_jis", "cp932", "euc_jp",
    "euc_kr", "cp949", "cp874", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le",
    "utf_32_be",
)  # fmt: skip
_RANKS = [codecs.lookup(name).name for name in LEGACY_ENCODINGS]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    """The Python codec that decodes the bytes: utf-8, utf-8-sig, utf-16, cp1251 ..."""


def codec_name(label: str) -> str | None:
    """Python's name for an encoding label (``windows-1251`` -> ``cp1251``), or None."""
    try:
        return codecs.lookup(label.strip()).name
    except (LookupError, ValueError):
        return None


def binary_format(data: bytes) -> str | None:
    """What binary format ``data`` starts like, if any."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            if signature in _WEAK_SIGNATURES and b"\x00" not in data[:4096]:
                continue
            return name
    return None


def decode_bytes(
    data: bytes, source: str, *, declared: str | None = None, noun: str = "file"
) -> Decoded | InputProblem:
    """The text of ``data``, or a problem saying why it is not text."""
    if not data:
        return InputProblem(source, f"the {noun} is empty")
    decoded = _decode(data, source, declared, noun)
    if isinstance(decoded, InputProblem):
        return decoded
    text = decoded.text
    controls = len(_CONTROL.findall(text))
    if controls and controls > BINARY_CONTROL_SHARE * len(text):
        share = round(100 * controls / len(text))
        return InputProblem(
            source, f"the {noun} is binary ({share}% of it is control characters), not text"
        )
    if controls:
        text = _CONTROL.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        detail = " (only whitespace)" if text else ""
        return InputProblem(source, f"the {noun} is empty{detail}")
    return Decoded(text, decoded.encoding)


def _decode(data: bytes, source: str, declared: str | None, noun: str) -> Decoded | InputProblem:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as exc:
                return InputProblem(
                    source,
                    f"the {noun} starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start})",
                )
    kind = binary_format(data)
    if kind is not None:
        return InputProblem(source, f"the {noun} is binary ({kind}), not text")
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    # NUL is valid UTF-8, and UTF-16 without a byte-order mark is full of them: UTF-8
    # only when NULs are strays, not every other byte.
    if utf8 is not None and data.count(0) <= BINARY_CONTROL_SHARE * len(data):
        return Decoded(utf8, "utf-8")
    if declared:
        named = codec_name(declared)
        # A declared UTF-16/32 without a byte-order mark leaves the byte order open.
        if named is not None and not named.startswith(("utf-16", "utf-32")):
            try:
                return Decoded(data.decode(named), named)
            except UnicodeDecodeError:
                pass  # the declaration is wrong; look at the bytes themselves
    detected = _detect(data)
    if detected is not None:
        return detected
    if utf8 is not None:
        return Decoded(utf8, "utf-8")  # mostly NULs: judged binary by the caller
    return InputProblem(
        source,
        f"the {noun} is binary or in an encoding that could not be recognised "
        "(it is not UTF-8, UTF-16 or a known legacy encoding)",
    )


def _detect(data: bytes) -> Decoded | None:
    """The likeliest legacy encoding: of charset-normalizer's readings, the one whose
    text reads most like a language (py3langid's confidence, plus charset-normalizer's
    coherence, less its measure of garbling), the more common encoding on a tie."""
    from charset_normalizer import from_bytes  # imported only for non-UTF-8 input

    best: tuple[float, int, Decoded] | None = None
    for match in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)):
        names = {match.encoding, *match.could_be_from_charset}  # same text, other names
        codec = min((codec_name(name) or name for name in names), key=_commonness)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec.startswith(("utf-16", "utf-32")) and not _reads_like_text(text):
            continue  # any even number of bytes is "valid" UTF-16
        key = (round(_score(text, match.coherence, match.chaos), 2), -_commonness(codec))
        if best is None or key > best[:2]:
            best = (*key, Decoded(text, codec))
    return best[2] if best is not None else None


def _score(text: str, coherence: float, chaos: float) -> float:
    """How much a reading reads like a language: py3langid's confidence, plus
    charset-normalizer's coherence, less its measure of garbling."""
    return language_confidence(text)[1] + coherence - chaos


def _commonness(codec: str) -> int:
    """Rank of an encoding in :data:`LEGACY_ENCODINGS` (0: the most common)."""
    try:
        return _RANKS.index(codec)
    except ValueError:
        return len(_RANKS)


def _reads_like_text(text: str) -> bool:
    """Text in a language: long enough, with spaces, nearly all of it in one or two
    256-character blocks (Latin and punctuation, plus Cyrillic, say). Binary data
    read as UTF-16 scatters over the whole of Unicode."""
    sample = text[:4000]
    if len(sample) < 16:
        return False
    spaces = sum(1 for char in sample if char in " \n\t")
    blocks = Counter(ord(char) >> 8 for char in sample)
    top_two = sum(count for _, count in blocks.most_common(2))
    return spaces >= 0.05 * len(sample) and top_two >= 0.95 * len(sample)
