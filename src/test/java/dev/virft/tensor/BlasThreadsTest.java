package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlasThreadsTest {
  @Test
  void setsTheOpenBlasPoolThatLibtorchMultipliesOn() {
    int before = BlasThreads.get();
    assertTrue(before >= 1, "the CPU build of libtorch links OpenBLAS: " + before);
    try {
      assertTrue(BlasThreads.set(1));
      assertEquals(1, BlasThreads.get());
    } finally {
      BlasThreads.set(before);
    }
    assertEquals(before, BlasThreads.get());
  }
}
