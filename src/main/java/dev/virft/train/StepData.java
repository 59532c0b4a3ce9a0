package dev.virft.train;


/**
 * The run's position in the data, as an objective draws from it: {@link #next} returns the indices of
 * the <em>global</em> batch (every rank draws the same ones, so the order depends only on the seed), and
 * {@link #mine} the slice of it this rank works on.
 */
public final class StepData {
  private final DataCursor cursor;
  private final Distributed dist;
  private final long seed;

  public StepData(DataCursor cursor, Distributed dist, long seed) {
    this.cursor = cursor;
    this.dist = dist;
    this.seed = seed;
  }

  /** The run's seed (the checkpoint's when resumed); every random draw derives from it. */
  public long seed() {
    return seed;
  }

  /** The next {@code perRank x world} example indices of the global batch. */
  public int[] next(int perRank) {
    return cursor.next(perRank * dist.worldSize());
  }

  /** This rank's contiguous share of a global batch drawn with {@link #next}. */
  public int[] mine(int[] global) {
    int per = global.length / dist.worldSize();
    int[] out = new int[per];
    System.arraycopy(global, dist.rank() * per, out, 0, per);
    return out;
  }

  /** Index in the global batch of this rank's first element. */
  public int firstSlot(int[] global) {
    return dist.rank() * (global.length / dist.worldSize());
  }

  public Distributed dist() {
    return dist;
  }
}
