package dev.virft.data;

import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code data.jsonl} rows {@code {"image_path": "images/000000.png", "problem", "solution", ...}}
 * with each image's encoded bytes in {@code images/}: the input format of the original's
 * build_dataset.ipynb, one row per line.
 */
final class JsonlDatasetWriter {
  static final String FILE = "data.jsonl";

  long write(Path out, Iterator<Sample> rows) throws IOException {
    if (!rows.hasNext()) {
      throw new VirftException(out + ": nothing to write (no rows)");
    }
    Path images = Files.createDirectories(out.resolve("images"));
    long count = 0;
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve(FILE), StandardCharsets.UTF_8)) {
      while (rows.hasNext()) {
        Sample s = rows.next();
        byte[] bytes = s.image().bytes();
        String name = String.format("%06d.%s", count, extension(bytes));
        Files.write(images.resolve(name), bytes);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("image_path", "images/" + name);
        row.put("problem", s.problem());
        row.put("solution", s.solution());
        row.putAll(s.columns());
        w.write(Json.line(row));
        w.write('\n');
        count++;
      }
    }
    return count;
  }

  static String extension(byte[] b) {
    if (b.length > 3 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
    if (b.length > 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) return "jpg";
    if (b.length > 2 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') return "gif";
    if (b.length > 1 && b[0] == 'B' && b[1] == 'M') return "bmp";
    return "img";
  }
}
