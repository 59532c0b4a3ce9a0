package dev.virft.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Test-only reader of the golden safetensors (F32 and I64 only), until the project's own
 * safetensors reader lands on main.
 */
final class GoldenFile {
  private final ByteBuffer data;
  private final JsonNode header;

  GoldenFile(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    header = Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
    data = ByteBuffer.wrap(all, 8 + (int) n, all.length - 8 - (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  long[] shape(String name) {
    JsonNode s = entry(name).get("shape");
    long[] out = new long[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).asLong();
    }
    return out;
  }

  boolean has(String name) {
    return header.has(name);
  }

  float[] floats(String name) {
    JsonNode e = entry(name);
    if (!e.get("dtype").asText().equals("F32")) {
      throw new IllegalArgumentException(name + " is " + e.get("dtype"));
    }
    long a = e.get("data_offsets").get(0).asLong();
    long z = e.get("data_offsets").get(1).asLong();
    float[] out = new float[(int) ((z - a) / 4)];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) a).slice().order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer().get(out);
    return out;
  }

  long[] longs(String name) {
    JsonNode e = entry(name);
    if (!e.get("dtype").asText().equals("I64")) {
      throw new IllegalArgumentException(name + " is " + e.get("dtype"));
    }
    long a = e.get("data_offsets").get(0).asLong();
    long z = e.get("data_offsets").get(1).asLong();
    long[] out = new long[(int) ((z - a) / 8)];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) a).slice().order(ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer().get(out);
    return out;
  }

  Iterator<Map.Entry<String, JsonNode>> entries() {
    return header.fields();
  }

  private JsonNode entry(String name) {
    JsonNode e = header.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no tensor " + name);
    }
    return e;
  }
}
