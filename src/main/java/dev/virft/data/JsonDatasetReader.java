package dev.virft.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON list ({@code [...]}) or JSON Lines file of rows {@code {image_path | image, problem, solution,
 * ...}} (the input of the original's build_dataset.ipynb), or of LISA's {@code conversations} records
 * (gen_sft.py's output, turned into problem/solution exactly as grpo_lisa.py does). Image paths are
 * resolved against the file's directory. Parsed one row at a time.
 */
public final class JsonDatasetReader implements DatasetReader {
  private static final Pattern IMG = Pattern.compile("<img>(.*?)</img>", Pattern.DOTALL);

  private final Path file;
  private final boolean lines;
  private final List<Column> columns;

  private JsonDatasetReader(Path file, boolean lines) {
    this.file = file;
    this.lines = lines;
    try (Pass p = new Pass()) {
      ObjectNode first = p.nextNode();
      if (first == null) {
        throw new VirftException(file + ": empty dataset (no rows)");
      }
      if (!(first.has("conversations") && !first.has("problem"))) {
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        RowDecoder.requireColumns(file, keys);
      }
      List<Column> cols = new ArrayList<>();
      first.fields().forEachRemaining(e -> cols.add(new Column(e.getKey(), jsonType(e.getValue()))));
      this.columns = List.copyOf(cols);
    }
  }

  public static JsonDatasetReader open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VirftException(file + ": file not found");
    }
    return new JsonDatasetReader(file, file.getFileName().toString().endsWith(".jsonl"));
  }

  @Override
  public Path location() {
    return file;
  }

  @Override
  public String layout() {
    return lines ? "jsonl" : "json";
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public OptionalLong size() {
    return OptionalLong.empty();
  }

  @Override
  public SampleIterator iterator() {
    return new Pass();
  }

  private static String jsonType(JsonNode n) {
    if (n.isTextual()) return "string";
    if (n.isIntegralNumber()) return "int64";
    if (n.isNumber()) return "float64";
    if (n.isBoolean()) return "bool";
    if (n.isArray()) return n.isEmpty() ? "list" : "list<" + jsonType(n.get(0)) + ">";
    if (n.isObject()) {
      List<String> kids = new ArrayList<>();
      n.fields().forEachRemaining(e -> kids.add(e.getKey() + ": " + jsonType(e.getValue())));
      return "struct<" + String.join(", ", kids) + ">";
    }
    return "null";
  }

  /** JSON value → plain Java (String, Long, Double, Boolean, List, Map). */
  static Object plain(JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (n.isTextual()) return n.asText();
    if (n.isIntegralNumber()) return n.asLong();
    if (n.isNumber()) return n.asDouble();
    if (n.isBoolean()) return n.asBoolean();
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(plain(x)));
      return l;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
    return m;
  }

  /** A LISA gen_sft record → the row grpo_lisa.py trains on. */
  static Map<String, Object> fromConversations(ObjectNode node, RowSource src) {
    JsonNode conv = node.get("conversations");
    if (!conv.isArray() || conv.size() < 2) {
      throw new VirftException(src + ": `conversations` must be a list of a user and an assistant turn");
    }
    String user = turnValue(conv.get(0), src, 0);
    String assistant = turnValue(conv.get(1), src, 1);
    Matcher m = IMG.matcher(user);
    if (!m.find()) {
      throw new VirftException(src + ": user turn has no <img>path</img>");
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("image", m.group(1).trim());
    row.put("problem", Prompts.lisaQuestion(IMG.matcher(user).replaceAll("").strip()));
    row.put("solution", Prompts.lisaSolution(assistant));
    node.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("conversations")) row.put(e.getKey(), plain(e.getValue()));
    });
    return row;
  }

  private static String turnValue(JsonNode turn, RowSource src, int i) {
    JsonNode v = turn == null ? null : turn.get("value");
    if (v == null || !v.isTextual()) {
      throw new VirftException(src + ": `conversations[" + i + "].value` missing or not a string");
    }
    return v.asText();
  }

  private final class Pass implements SampleIterator {
    private BufferedReader lineReader;
    private JsonParser parser;
    private long row;
    private ObjectNode pending;
    private boolean done;

    Pass() {
      try {
        if (lines) {
          lineReader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } else {
          parser = Json.MAPPER.createParser(file.toFile());
          JsonToken t = parser.nextToken();
          if (t != JsonToken.START_ARRAY) {
            throw new VirftException(file + ": expected a JSON list of rows ([{...}, ...]) or a .jsonl file");
          }
        }
      } catch (IOException e) {
        close();
        throw new VirftException(file + ": cannot read: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /** The next row's JSON object, or null at the end. */
    ObjectNode nextNode() {
      try {
        JsonNode n;
        if (lines) {
          String line;
          do {
            line = lineReader.readLine();
            if (line == null) return null;
          } while (line.isBlank());
          n = Json.MAPPER.readTree(line);
        } else {
          JsonToken t = parser.nextToken();
          if (t == JsonToken.END_ARRAY || t == null) return null;
          n = Json.MAPPER.readTree(parser);
        }
        if (!(n instanceof ObjectNode o)) {
          throw new VirftException(file + " row " + row + ": expected a JSON object, got " + n.getNodeType());
        }
        return o;
      } catch (IOException e) {
        throw new VirftException(file + " row " + row + ": not valid JSON: " + e.getMessage(), e);
      }
    }

    @Override
    public boolean hasNext() {
      if (pending != null) return true;
      if (done) return false;
      try {
        pending = nextNode();
      } catch (RuntimeException e) {
        close();
        throw e;
      }
      if (pending == null) {
        close();
        return false;
      }
      return true;
    }

    @Override
    public Sample next() {
      if (!hasNext()) throw new NoSuchElementException();
      ObjectNode node = pending;
      pending = null;
      RowSource src = new RowSource(file, row++);
      Map<String, Object> values;
      if (node.has("conversations") && !node.has("problem")) {
        values = fromConversations(node, src);
      } else {
        values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          values.put(e.getKey(), plain(e.getValue()));
        }
      }
      Path base = file.toAbsolutePath().getParent();
      return RowDecoder.decode(values, src, base);
    }

    @Override
    public void close() {
      done = true;
      try {
        if (lineReader != null) lineReader.close();
        if (parser != null) parser.close();
      } catch (IOException e) {
        // reading is over
      }
    }
  }
}
