"""Writes the seed corpus of every fuzz target into OUT/<target>/: tiny valid files made here, plus (when the
shared folder is there) the two smallest ONNX fixtures and the first lines of the shared data files, copied at
run time (nothing of the shared folder is committed). Usage: python3 seeds.py OUT SHARED"""
import gzip, json, os, struct, sys

out, shared = sys.argv[1], sys.argv[2]

def put(target, name, data):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

def head(path, lines, limit=2048):
    """The first lines of a shared file (at most limit bytes), or None when it is not there."""
    try:
        with open(path, "rb") as f:
            return b"".join(f.readline() for _ in range(lines))[:limit]
    except OSError:
        return None

def safetensors(tensors):
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blob

put("safetensors", "f32.safetensors", safetensors([("w", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)), ("b", "F32", [2], struct.pack("<2f", 0.5, -1))]))
put("safetensors", "mixed.safetensors", safetensors([("i", "I64", [1], struct.pack("<q", 7)), ("d", "F64", [2], struct.pack("<2d", 0.25, -2)), ("n", "I32", [2, 1], struct.pack("<2i", -3, 9)), ("s", "F32", [], struct.pack("<f", 3))]))

def wav(fmt, channels, rate, bits, payload):
    block = channels * bits // 8
    chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(chunk)) + chunk + b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body

put("wav", "pcm16-mono.wav", wav(1, 1, 8000, 16, struct.pack("<8h", 0, 1000, -1000, 32767, -32768, 5, 6, 7)))
put("wav", "pcm8-stereo.wav", wav(1, 2, 8000, 8, bytes([128, 0, 255, 128, 10, 20])))
put("wav", "float32.wav", wav(3, 1, 16000, 32, struct.pack("<3f", 0.1, -0.5, 1.0)))

images = struct.pack(">iiii", 2051, 2, 2, 3) + bytes(range(12))
labels = struct.pack(">ii", 2049, 3) + bytes([1, 7, 9])
put("idx", "images.idx", images)
put("idx", "labels.idx", labels)
put("idx", "images.idx.gz", gzip.compress(images, mtime=0))
put("idx", "labels.idx.gz", gzip.compress(labels, mtime=0))

put("timeseries-csv", "monthly.csv", '"Month","Passengers"\n"1949-01",112\n"1949-02",118\n"1949-03",132\n')
put("timeseries-csv", "daily.csv", "Date,Temp\r\n1981-01-01,20.7\r\n1981-01-02,17.9\r\n1981-01-03,18.8\r\n")
put("atis", "atis.iob", "BOS i want to fly from boston EOS\tO O O O O O B-fromloc.city_name atis_flight\n"
                        "BOS show me fares EOS\tO O O O atis_airfare\n")
window = " ".join(f"{0.01 * i:.7e}" for i in range(128))
put("har", "labels-and-signals.txt", f"1\n3\n".encode() + b"\0" + f"{window}\n{window}\n".encode())
put("har", "activity-labels.txt", "1 WALKING\n2 WALKING_UPSTAIRS\n3 SITTING\n")
put("har", "signals.csv", ("1\n2\n".encode() + b"\0" + (",".join(f"{0.5 * i}" for i in range(128)) + "\n").encode() * 2))
put("sms-spam", "sms.txt", "ham\tGo until jurong point, crazy..\nspam\tFree entry in 2 a wkly comp to win\nham\tOk lar...\n")
put("sentences", "labelled.txt", "So there is no way for me to plug it in here.\t0\nGood case, Excellent value.\t1\n")
put("sentences", "pairs.txt", "Hi.\t嗨。\tCC-BY 2.0 (France)\nRun.\t你用跑的。\n")
put("sentences", "plain.txt", "the rock is destined to be the 21st century's new conan\n\nan effortlessly accomplished film\n")
put("sentences", "cp1252.txt", b"it's a caf\xe9 \x93quoted\x94 review\n")
put("tang-poems", "poet.json", json.dumps([{"author": "太宗皇帝", "paragraphs": ["秦川雄帝宅，函谷壯皇居。", "綺殿千尋起，離宮百雉餘。"], "title": "帝京篇"}], ensure_ascii=False))
put("tang-poems", "collection.json", json.dumps({"title": "唐诗三百首", "content": [{"type": "五言绝句", "content": [{"chapter": "静夜思", "author": "李白", "paragraphs": ["床前明月光，疑是地上霜。"]}]}]}, ensure_ascii=False))

# ONNX: small models written here field by field (protobuf), and the smallest model files of the shared fixtures.
def varint(n):
    b = b""
    while True:
        if n < 0x80:
            return b + bytes([n])
        b += bytes([n & 0x7F | 0x80])
        n >>= 7

def field(number, value):
    """A protobuf field: an int is a varint, bytes/str length-delimited."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    value = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(value)) + value

def value_info(name, dims):
    shape = b"".join(field(1, field(1, d) if isinstance(d, int) else field(2, d)) for d in dims)
    return field(1, name) + field(2, field(1, field(1, 1) + field(2, shape)))   # float tensor of that shape

def model(nodes, inputs, outputs, initializers=b""):
    graph = b"".join(field(1, n) for n in nodes) + field(2, "g") + initializers \
        + b"".join(field(11, value_info(*i)) for i in inputs) + b"".join(field(12, value_info(*o)) for o in outputs)
    return field(1, 8) + field(2, "seeds.py") + field(7, graph) + field(8, field(1, "") + field(2, 17))

def node(op, inputs, outputs, attributes=b""):
    return b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs) + field(4, op) + attributes

weight = field(1, 2) + field(1, 3) + field(2, 1) + field(8, "w") + field(9, struct.pack("<6f", *range(6)))
put("onnx", "relu.onnx", model([node("Relu", ["x"], ["y"])], [("x", ["batch", 3])], [("y", ["batch", 3])]))
put("onnx", "matmul.onnx", model([node("MatMul", ["x", "w"], ["y"])], [("x", [1, 2])], [("y", [1, 3])], field(5, weight)))
put("onnx", "attributes.onnx", model([node("Transpose", ["x"], ["t"], field(5, field(1, "perm") + field(8, 1) + field(8, 0) + field(20, 7))),
                                      node("Sigmoid", ["t"], ["y"])], [("x", [2, 4])], [("y", [4, 2])]))
onnx = os.path.join(shared, "fixtures", "onnx")
if os.path.isdir(onnx):
    models = sorted((os.path.getsize(os.path.join(onnx, f)), f) for f in os.listdir(onnx) if f.endswith(".onnx"))
    for _, f in models[:2]:
        put("onnx", f, open(os.path.join(onnx, f), "rb").read())
data = os.path.join(shared, "data")
for target, name, path in [
    ("atis", "shared.iob", "atis/atis.train.w-intent.iob"),
    ("sms-spam", "shared.txt", "sms-spam/SMSSpamCollection"),
    ("timeseries-csv", "shared.csv", "timeseries/daily-min-temperatures.csv"),
    ("sentences", "shared-pairs.txt", "seq2seq/cmn.txt"),
]:
    cut = head(os.path.join(data, path), 4)
    if cut:
        put(target, name, cut)

def png(width, height, rgb):
    """A minimal 8-bit RGB PNG (filter 0 on every row)."""
    import zlib
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

put("image", "red-3x2.png", png(3, 2, (200, 30, 30)))
put("image", "grey-1x1.png", png(1, 1, (128, 128, 128)))
images = os.path.join(shared, "data", "flickr8k", "Images")
if os.path.isdir(images):
    smallest = min((os.path.getsize(os.path.join(images, f)), f) for f in os.listdir(images) if f.endswith(".jpg"))[1]
    put("image", "shared.jpg", open(os.path.join(images, smallest), "rb").read())
put("flickr8k", "captions.txt", "1000268201_693b08cb0e.jpg#0\tA child in a pink dress .\n"
    "1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .\n")
put("flickr8k", "split.txt", "1000268201_693b08cb0e.jpg\n1001773457_577c3a7d70.jpg\n")
cut = head(os.path.join(shared, "data", "flickr8k", "Flickr8k.token.txt"), 4)
if cut:
    put("flickr8k", "shared.txt", cut)
