# Writes reference.json: the upper half (bytes 0x80-0xFF) of every code page the encoder
# implements with an x/text charmap, decoded by Python's codec that escpos-printer-db's
# encoding.yml names for the page (python_encode). -1 marks a byte the codec leaves undefined.
# Run: python3 gen.py > reference.json
import codecs, json
pages = {
    "CP437": "cp437", "CP850": "cp850", "CP852": "cp852", "CP855": "cp855", "CP858": "cp858",
    "CP860": "cp860", "CP862": "cp862", "CP863": "cp863", "CP865": "cp865", "CP866": "cp866",
    "CP874": "cp874", "CP1250": "cp1250", "CP1251": "cp1251", "CP1252": "cp1252", "CP1253": "cp1253",
    "CP1254": "cp1254", "CP1255": "cp1255", "CP1256": "cp1256", "CP1257": "cp1257", "CP1258": "cp1258",
    "ISO_8859-1": "latin_1", "ISO_8859-2": "iso8859_2", "ISO_8859-3": "iso8859_3", "ISO_8859-4": "iso8859_4",
    "ISO_8859-5": "iso8859_5", "ISO_8859-6": "iso8859_6", "ISO_8859-7": "iso8859_7", "ISO_8859-8": "iso8859_8",
    "ISO_8859-9": "iso8859_9", "ISO_8859-15": "iso8859-15",
}
out = {}
for name, codec in sorted(pages.items()):
    row = []
    for b in range(0x80, 0x100):
        try:
            row.append(ord(bytes([b]).decode(codec)))
        except UnicodeDecodeError:
            row.append(-1)
    out[name] = {"python_codec": codec, "upper": row}
print(json.dumps(out, indent=1, sort_keys=True))
