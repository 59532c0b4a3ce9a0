package dev.virft.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw
 * little-endian data). Written by hand because no Java library on Maven Central produces libtorch
 * tensors from it; the format is small. Every header field is validated against the file size before
 * anything is allocated, since checkpoints come from untrusted sources.
 *
 * <p>Over 400 lines on purpose: the defensive header checks, the reader (mapped and copied) and the
 * atomic writer share one set of format rules, which would drift apart in separate classes.
 */
public final class Safetensors {
  /** Upper bound on the JSON header; the real ones are a few hundred KB even for 7B models. */
  public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  public static final String INDEX_FILE = "model.safetensors.index.json";
  public static final String SINGLE_FILE = "model.safetensors";

  private Safetensors() {}

  /** One tensor's header entry, validated. */
  public record Entry(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {}

  /** A parsed, validated header: entries in file order plus the free-form metadata. */
  public record Header(Path file, long dataStart, List<Entry> entries, Map<String, String> metadata) {}

  /** Where one tensor lies: its file, that file's data start, and its validated header entry. */
  public record Stored(Path file, long dataStart, Entry entry) {
    public String name() {
      return entry.name();
    }

    public long[] shape() {
      return entry.shape().clone();
    }

    public SafetensorsDType dtype() {
      return entry.dtype();
    }
  }

  /**
   * The tensors of a checkpoint by name, from the headers alone (no tensor data read), in file order;
   * {@code source} names the file (or the shard index) in messages.
   */
  public record Index(String source, Map<String, Stored> tensors) {}

  /**
   * Reads a checkpoint: a single {@code .safetensors} file, or a directory holding either
   * {@code model.safetensors.index.json} (sharded) or {@code model.safetensors}.
   */
  public static StateDict read(Path path) {
    Index index = index(path);
    StateDict out = new StateDict(index.source());
    try (TensorReader r = new TensorReader()) {
      for (Stored st : index.tensors().values()) {
        out.put(st.name(), r.read(st));
      }
    }
    return out;
  }

  /** The headers of a checkpoint (file or directory, as {@link #read}), validated, without tensor data. */
  public static Index index(Path path) {
    if (Files.isDirectory(path)) {
      Path index = path.resolve(INDEX_FILE);
      if (Files.isRegularFile(index)) {
        return indexSharded(index);
      }
      Path single = path.resolve(SINGLE_FILE);
      if (Files.isRegularFile(single)) {
        return indexFile(single);
      }
      throw new VirftException(
          path + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " in this checkpoint directory");
    }
    return indexFile(path);
  }

  private static Index indexFile(Path file) {
    Header h = readHeader(file);
    Map<String, Stored> m = new LinkedHashMap<>();
    for (Entry e : h.entries()) {
      m.put(e.name(), new Stored(file, h.dataStart(), e));
    }
    return new Index(file.toString(), m);
  }

  private static Index indexSharded(Path index) {
    JsonNode root = Json.read(index);
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new VirftException(index + ": field 'weight_map' missing or not an object");
    }
    TreeSet<String> files = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new VirftException(index + ": weight_map['" + e.getKey() + "'] must be a file name");
      }
      String f = e.getValue().asText();
      if (f.contains("/") || f.contains("\\") || f.startsWith(".")) {
        throw new VirftException(index + ": weight_map['" + e.getKey() + "'] = '" + f
            + "' is not a plain file name in the checkpoint directory");
      }
      files.add(f);
    }
    Map<String, Stored> out = new LinkedHashMap<>();
    for (String f : files) {
      for (Stored st : indexFile(index.resolveSibling(f)).tensors().values()) {
        JsonNode owner = map.get(st.name());
        if (owner == null || !owner.asText().equals(f)) {
          throw new VirftException(index.resolveSibling(f) + ": tensor '" + st.name()
              + "' is not listed for this shard in " + INDEX_FILE);
        }
        out.put(st.name(), st);
      }
    }
    for (Iterator<String> it = map.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!out.containsKey(name)) {
        throw new VirftException(index + ": tensor '" + name + "' is listed but missing from "
            + map.get(name).asText());
      }
    }
    return new Index(index.toString(), out);
  }

  /**
   * Reads tensors one at a time (each into its own libtorch-owned CPU tensor), keeping each file open
   * once: loading a checkpoint tensor by tensor needs memory for one tensor beyond what is kept.
   */
  public static final class TensorReader implements AutoCloseable {
    private final Map<Path, FileChannel> open = new LinkedHashMap<>();
    private final Map<Path, Tensor> mapped = new LinkedHashMap<>();

    /**
     * The tensor as a view of a private (copy-on-write) memory mapping of its file: no copy and no
     * read now, the pages come in as they are first used (what transformers' from_pretrained does),
     * and writes to it (an optimizer step) go to private copies of the touched pages, never to the
     * file. Null when its bytes are not aligned for its dtype in the file (then {@link #read}).
     */
    public Tensor map(Stored st) {
      long offset = st.dataStart() + st.entry().begin();
      long n = st.entry().end() - st.entry().begin();
      if (n == 0 || offset % st.dtype().bytes != 0) {
        return null;
      }
      Tensor whole = mapped.get(st.file());
      if (whole == null) {
        long size;
        try {
          size = Files.size(st.file());
        } catch (IOException e) {
          throw new VirftException(st.file() + ": cannot read: " + e.getMessage(), e);
        }
        whole = torch.from_file(st.file().toString(), new org.bytedeco.pytorch.BoolOptional(false),
            new org.bytedeco.pytorch.LongOptional(size), new TensorOptions(torch.ScalarType.Byte));
        mapped.put(st.file(), whole);
      }
      // The view keeps the mapping alive after this reader (and its whole-file tensor) is closed.
      return whole.narrow(0, offset, n).view(st.dtype().scalarType).view(st.entry().shape());
    }

    public Tensor read(Stored st) {
      try {
        FileChannel ch = open.get(st.file());
        if (ch == null) {
          ch = FileChannel.open(st.file(), StandardOpenOption.READ);
          open.put(st.file(), ch);
        }
        return readTensor(st.file(), ch, st.dataStart(), st.entry());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new VirftException(st.file() + ": safetensors file not found");
      } catch (IOException e) {
        throw new VirftException(st.file() + ": cannot read: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      for (Tensor t : mapped.values()) {
        t.close();
      }
      mapped.clear();
      for (FileChannel ch : open.values()) {
        try {
          ch.close();
        } catch (IOException e) {
          // read-only: nothing is lost
        }
      }
      open.clear();
    }
  }

  /** Parses and validates the header of one file without reading tensor data. */
  public static Header readHeader(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": safetensors file not found");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch);
    } catch (IOException e) {
      throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new VirftException(file + ": truncated safetensors file (" + size
          + " bytes; the 8-byte header length is missing)");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0, file);
    long headerLen = lenBuf.flip().getLong();
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw new VirftException(file + ": safetensors header length " + Long.toUnsignedString(headerLen)
          + " is out of range (expected 2.." + MAX_HEADER_BYTES + " bytes)");
    }
    if (8 + headerLen > size) {
      throw new VirftException(file + ": truncated safetensors file: header claims " + headerLen
          + " bytes but the file has only " + (size - 8) + " after the length");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, 8, file);
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new VirftException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new VirftException(file + ": safetensors header must be a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      JsonNode v = f.getValue();
      if (name.equals("__metadata__")) {
        if (v.isObject()) {
          v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        }
        continue;
      }
      entries.add(parseEntry(file, name, v, dataLen));
    }
    checkNoOverlap(file, entries);
    return new Header(file, dataStart, entries, metadata);
  }

  private static Entry parseEntry(Path file, String name, JsonNode v, long dataLen) {
    String where = file + ": tensor '" + name + "'";
    if (!v.isObject()) {
      throw new VirftException(where + ": header entry must be an object");
    }
    JsonNode dt = v.get("dtype");
    SafetensorsDType dtype = dt == null ? null : SafetensorsDType.ofCode(dt.asText());
    if (dtype == null) {
      throw new VirftException(where + ": unsupported or missing dtype "
          + (dt == null ? "(none)" : "'" + dt.asText() + "'") + " (expected one of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
    }
    JsonNode sh = v.get("shape");
    if (sh == null || !sh.isArray()) {
      throw new VirftException(where + ": field 'shape' missing or not a list");
    }
    long[] shape = new long[sh.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.canConvertToLong() || d.asLong() < 0) {
        throw new VirftException(where + ": shape " + sh + " must hold non-negative integers");
      }
      shape[i] = d.asLong();
      try {
        numel = Math.multiplyExact(numel, shape[i]);
      } catch (ArithmeticException e) {
        throw new VirftException(where + ": shape " + sh + " is too large");
      }
    }
    JsonNode off = v.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2
        || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
      throw new VirftException(where + ": field 'data_offsets' must be [begin, end]");
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new VirftException(where + ": data_offsets " + off + " are not an increasing pair");
    }
    if (end > dataLen) {
      throw new VirftException(where + ": data_offsets " + off + " run past the end of the file ("
          + dataLen + " data bytes): the file is truncated");
    }
    long expected;
    try {
      expected = Math.multiplyExact(numel, dtype.bytes);
    } catch (ArithmeticException e) {
      throw new VirftException(where + ": shape " + sh + " is too large");
    }
    if (end - begin != expected) {
      throw new VirftException(where + ": " + (end - begin) + " data bytes for shape " + sh + " "
          + dtype.code + ", expected " + expected);
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static void checkNoOverlap(Path file, List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
    for (int i = 1; i < sorted.size(); i++) {
      Entry prev = sorted.get(i - 1);
      Entry cur = sorted.get(i);
      if (cur.begin() < prev.end()) {
        throw new VirftException(file + ": tensors '" + prev.name() + "' and '" + cur.name()
            + "' overlap in the data section");
      }
    }
  }

  /** Reads every tensor of one file into libtorch-owned CPU memory. */
  public static StateDict readFile(Path file) {
    return read(file);
  }

  private static Tensor readTensor(Path file, FileChannel ch, long dataStart, Entry e)
      throws IOException {
    Tensor t = torch.empty(e.shape(), new TensorOptions(e.dtype().scalarType), new MemoryFormatOptional());
    long n = e.end() - e.begin();
    if (n == 0) {
      return t;
    }
    BytePointer dst = new BytePointer(t.data_ptr()).capacity(n);
    long done = 0;
    // Copied in chunks: one ByteBuffer view cannot exceed 2 GiB.
    while (done < n) {
      int chunk = (int) Math.min(n - done, 1L << 30);
      ByteBuffer view = dst.position(done).limit(done + chunk).asBuffer();
      readFully(ch, view, dataStart + e.begin() + done, file);
      done += chunk;
    }
    return t;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file)
      throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new VirftException(file + ": truncated safetensors file (unexpected end of file)");
      }
      pos += r;
    }
  }

  /** Writes one file atomically; tensors are written in the order of the state dict. */
  public static void write(Path file, StateDict tensors, Map<String, String> metadata) {
    AtomicFiles.write(file, out -> writeTo(out, tensors.asMap(), metadata));
  }

  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    AtomicFiles.write(file, out -> writeTo(out, tensors, metadata));
  }

  private static void writeTo(OutputStream out, Map<String, Tensor> tensors,
      Map<String, String> metadata) throws IOException {
    ObjectNode header = Json.COMPACT.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      // Sorted: the same metadata gives the same bytes whatever map the caller built it in.
      new java.util.TreeMap<>(metadata).forEach(m::put);
    }
    // The header from shapes and dtypes alone; then each tensor is brought to the CPU (a copy only for
    // a device tensor or a non-contiguous one), written, and that copy freed, so writing a model on
    // CUDA needs host memory for one tensor.
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      SafetensorsDType dt = SafetensorsDType.of(t.scalar_type());
      long n = t.numel() * dt.bytes;
      ObjectNode o = header.putObject(e.getKey());
      o.put("dtype", dt.code);
      var shape = o.putArray("shape");
      for (long d : t.sizes().vec().get()) {
        shape.add(d);
      }
      o.putArray("data_offsets").add(offset).add(offset + n);
      offset += n;
    }
    byte[] hb = Json.COMPACT.writeValueAsBytes(header);
    int pad = (8 - (hb.length % 8)) % 8;
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    len.putLong(hb.length + pad);
    out.write(len.array());
    out.write(hb);
    for (int i = 0; i < pad; i++) {
      out.write(' ');
    }
    WritableByteChannel wc = Channels.newChannel(out);
    for (Tensor given : tensors.values()) {
      Tensor t = given.detach().cpu().contiguous();
      try {
        long n = t.numel() * t.element_size();
        if (n == 0) {
          continue;
        }
        BytePointer src = new BytePointer(t.data_ptr()).capacity(n);
        long done = 0;
        while (done < n) {
          int chunk = (int) Math.min(n - done, 1L << 30);
          ByteBuffer view = src.position(done).limit(done + chunk).asBuffer();
          while (view.hasRemaining()) {
            wc.write(view);
          }
          done += chunk;
        }
      } finally {
        if (!t.is_same(given)) {
          t.close();
        }
      }
    }
  }
}
