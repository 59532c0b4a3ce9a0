package dev.virft.data;

import dev.virft.util.AtomicFiles;
import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/** The layouts virft writes; each output directory is written atomically (temp dir + rename). */
public enum DatasetFormat {
  /** HF {@code DatasetDict.save_to_disk}: what the original training script loads. */
  SAVE_TO_DISK,
  /** HF hub parquet: {@code data/train-00000-of-00001.parquet}. */
  PARQUET,
  /** {@code data.jsonl} + {@code images/}. */
  JSONL;

  /** HF's default {@code max_shard_size} for save_to_disk. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 500_000_000L;

  public static DatasetFormat parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new VirftException("unknown dataset format '" + s + "' (expected one of "
          + Arrays.stream(values()).map(DatasetFormat::cliName).toList() + ")");
    }
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Writes {@code rows} (split {@code train}) to the directory {@code out}; returns the row count. */
  public long write(Path out, Iterator<Sample> rows) {
    return write(out, rows, Datasets.DEFAULT_SPLIT, DEFAULT_MAX_SHARD_BYTES);
  }

  public long write(Path out, Iterator<Sample> rows, String split, long maxShardBytes) {
    long[] count = new long[1];
    AtomicFiles.writeDirectory(out, dir -> {
      count[0] = switch (this) {
        case SAVE_TO_DISK -> new SaveToDiskWriter(split, maxShardBytes).write(dir, rows);
        case PARQUET -> new ParquetDatasetWriter(split).write(dir, rows);
        case JSONL -> new JsonlDatasetWriter().write(dir, rows);
      };
    });
    return count[0];
  }

  /** Convenience for callers that hold an {@link Iterable}. */
  public long write(Path out, Iterable<Sample> rows) {
    Iterator<Sample> it = rows.iterator();
    try {
      return write(out, it);
    } finally {
      if (it instanceof SampleIterator si) si.close();
    }
  }

}
