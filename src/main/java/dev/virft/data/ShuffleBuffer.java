package dev.virft.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Shuffles a stream of samples through a fixed-size buffer (as webdataset / HF {@code
 * IterableDataset.shuffle} do): memory stays bounded by {@code bufferSize} samples (encoded images
 * only), and with {@code bufferSize >= rows} it is a uniform shuffle of the whole dataset. The same
 * seed gives the same order; use a different seed per epoch.
 */
public final class ShuffleBuffer implements Iterable<Sample> {
  private final Iterable<Sample> source;
  private final int bufferSize;
  private final long seed;

  public ShuffleBuffer(Iterable<Sample> source, int bufferSize, long seed) {
    if (bufferSize < 1) throw new IllegalArgumentException("bufferSize must be >= 1");
    this.source = source;
    this.bufferSize = bufferSize;
    this.seed = seed;
  }

  @Override
  public SampleIterator iterator() {
    Iterator<Sample> in = source.iterator();
    SplittableRandom rng = new SplittableRandom(seed);
    List<Sample> buffer = new ArrayList<>(Math.min(bufferSize, 1 << 16));
    return new SampleIterator() {
      @Override
      public boolean hasNext() {
        while (buffer.size() < bufferSize && in.hasNext()) buffer.add(in.next());
        return !buffer.isEmpty();
      }

      @Override
      public Sample next() {
        if (!hasNext()) throw new NoSuchElementException();
        int i = rng.nextInt(buffer.size());
        Sample s = buffer.get(i);
        buffer.set(i, buffer.get(buffer.size() - 1));
        buffer.remove(buffer.size() - 1);
        return s;
      }

      @Override
      public void close() {
        buffer.clear();
        if (in instanceof SampleIterator si) si.close();
      }
    };
  }
}
