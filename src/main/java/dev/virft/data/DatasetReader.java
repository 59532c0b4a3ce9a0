package dev.virft.data;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A dataset read as a stream of {@link Sample}s: no layout holds the whole dataset in memory (at most
 * one Arrow record batch or one parquet row group), and images stay encoded until asked for.
 * Each {@link #iterator()} is a fresh pass (one per epoch); close the iterator when stopping early.
 */
public interface DatasetReader extends Iterable<Sample>, AutoCloseable {
  /** What was opened (directory or file). */
  Path location();

  /** "save_to_disk", "parquet", "json" or "jsonl". */
  String layout();

  /** The columns as declared by the file (for JSON: as seen in the first row). */
  List<Column> columns();

  /** Row count when the layout records it without a scan (parquet footers), otherwise empty. */
  OptionalLong size();

  @Override
  SampleIterator iterator();

  @Override
  default void close() {}
}
