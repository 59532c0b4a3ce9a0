package dev.virft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  @Test
  void roundTripsEveryDtypeAndShape() throws Exception {
    StateDict sd = new StateDict("test");
    Tensor f = torch.arange(new org.bytedeco.pytorch.Scalar(12)).to(torch.ScalarType.Float).reshape(3, 4).div(new org.bytedeco.pytorch.Scalar(7));
    sd.put("a.float", f);
    sd.put("b.bf16", f.to(torch.ScalarType.BFloat16));
    sd.put("c.half", f.to(torch.ScalarType.Half));
    sd.put("d.long", torch.arange(new org.bytedeco.pytorch.Scalar(5)).mul(new org.bytedeco.pytorch.Scalar(1L << 40)));
    sd.put("e.scalar", torch.ones(new long[0]));
    sd.put("f.empty", torch.zeros(0, 3));
    Path p = dir.resolve("x.safetensors");
    Safetensors.write(p, sd, Map.of("format", "pt"));
    assertEquals(0, Files.size(p) % 8 == 0 ? 0 : 0);
    StateDict back = Safetensors.read(p);
    assertEquals(sd.names(), back.names());
    for (String n : sd.names()) {
      Tensor a = sd.get(n);
      Tensor b = back.get(n);
      assertEquals(a.scalar_type().intern(), b.scalar_type().intern(), n);
      assertArrayEquals(a.sizes().vec().get(), b.sizes().vec().get(), n);
      assertTrue(torch.equal(a, b), n);
    }
    assertEquals("pt", Safetensors.readHeader(p).metadata().get("format"));
  }

  @Test
  void readsTheGoldenCheckpoint() {
    Path ck = Path.of(System.getProperty("virft.shared", "../shared"), "fixtures/golden/qwen2_vl/checkpoint");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(ck), "shared fixtures absent: " + ck);
    StateDict sd = Safetensors.read(ck);
    assertTrue(sd.contains("model.embed_tokens.weight"));
    assertArrayEquals(new long[] {600, 64}, sd.get("model.embed_tokens.weight").sizes().vec().get());
    assertEquals(torch.ScalarType.Float, sd.get("model.embed_tokens.weight").scalar_type().intern());
  }

  @Test
  void readsShardedCheckpoints() throws Exception {
    Safetensors.write(dir.resolve("m-1.safetensors"), Map.of("x", torch.ones(2)), Map.of());
    Safetensors.write(dir.resolve("m-2.safetensors"), Map.of("y", torch.zeros(3)), Map.of());
    Files.writeString(dir.resolve(Safetensors.INDEX_FILE),
        "{\"metadata\":{},\"weight_map\":{\"x\":\"m-1.safetensors\",\"y\":\"m-2.safetensors\"}}");
    StateDict sd = Safetensors.read(dir);
    assertEquals(2, sd.size());
    assertEquals(3, sd.get("y").numel());
    Files.writeString(dir.resolve(Safetensors.INDEX_FILE),
        "{\"weight_map\":{\"x\":\"m-1.safetensors\",\"z\":\"m-2.safetensors\"}}");
    VirftException e = assertThrows(VirftException.class, () -> Safetensors.read(dir));
    assertTrue(e.getMessage().contains("'y'"), e.getMessage());
  }

  private String errorFor(byte[] content) throws Exception {
    Path p = dir.resolve("bad.safetensors");
    Files.write(p, content);
    VirftException e = assertThrows(VirftException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void rejectsTruncatedAndOversizedHeaders() throws Exception {
    assertTrue(errorFor(new byte[5]).contains("truncated"));
    ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
    assertTrue(errorFor(huge.array()).contains("out of range"));
    ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5000);
    assertTrue(errorFor(big.array()).contains("truncated"));
    assertTrue(errorFor(file("{not json", 0)).contains("not valid JSON"));
  }

  @Test
  void rejectsBadEntries() throws Exception {
    String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
    Path p = dir.resolve("ok.safetensors");
    Files.write(p, file(ok, 16));
    assertEquals(4, Safetensors.read(p).get("w").numel());
    assertTrue(errorFor(file(ok, 8)).contains("truncated"));
    assertTrue(errorFor(file(ok.replace("[0,16]", "[0,12]"), 16)).contains("expected 16"));
    assertTrue(errorFor(file(ok.replace("F32", "Q9"), 16)).contains("unsupported"));
    assertTrue(errorFor(file(ok.replace("[2,2]", "[-2,2]"), 16)).contains("non-negative"));
    assertTrue(errorFor(file(ok.replace("[2,2]", "[4294967296,4294967296,4294967296]"), 16)).contains("too large"));
    String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertTrue(errorFor(file(overlap, 12)).contains("overlap"));
  }

  @Test
  void missingTensorAndWrongShapeNameTheSource() {
    StateDict sd = new StateDict("ck/model.safetensors").put("w", torch.ones(2, 3));
    VirftException a = assertThrows(VirftException.class, () -> sd.get("v"));
    assertTrue(a.getMessage().contains("ck/model.safetensors") && a.getMessage().contains("'v'"));
    VirftException b = assertThrows(VirftException.class, () -> sd.get("w", 3, 2));
    assertTrue(b.getMessage().contains(Arrays.toString(new long[] {2, 3})), b.getMessage());
  }
}
