package dev.virft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.virft.data.synthetic.Difficulty;
import dev.virft.data.synthetic.SyntheticDataset;
import dev.virft.data.synthetic.SyntheticTask;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShuffleBufferTest {
  static List<Long> order(Iterable<Sample> rows) {
    List<Long> out = new ArrayList<>();
    rows.forEach(s -> out.add(s.source().row()));
    return out;
  }

  @Test
  void aSeededPermutationWithinTheBufferWindow() {
    SyntheticDataset ds = new SyntheticDataset(
        new SyntheticDataset.Config(SyntheticTask.CLASSIFICATION, Difficulty.EASY, 32, 1, 40, false));
    List<Long> plain = order(ds);
    List<Long> a = order(new ShuffleBuffer(ds, 8, 3));
    assertEquals(a, order(new ShuffleBuffer(ds, 8, 3)));
    assertNotEquals(a, order(new ShuffleBuffer(ds, 8, 4)));
    assertNotEquals(plain, a);
    assertEquals(plain, a.stream().sorted().collect(Collectors.toList()));
    // a row can come out at most bufferSize-1 places early
    for (int k = 0; k < a.size(); k++) assertEquals(true, a.get(k) <= k + 7, "row " + a.get(k) + " at " + k);
    assertEquals(plain, order(new ShuffleBuffer(ds, 1, 3)));
  }
}
