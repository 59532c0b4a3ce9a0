package dev.virft.data;

import java.util.Iterator;

/** A pass over a dataset; holds open files until exhausted or closed. */
public interface SampleIterator extends Iterator<Sample>, AutoCloseable {
  @Override
  void close();
}
