package dev.virft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows are checked before training: corrupt images, and image paths that leave the dataset. */
class DatasetCheckTest {
  @TempDir Path tmp;

  Path png(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    return file;
  }

  Path dataset(String... imagePaths) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ds"));
    StringBuilder sb = new StringBuilder();
    for (String p : imagePaths) {
      sb.append("{\"image_path\": \"").append(p).append("\", \"problem\": \"q\", \"solution\": \"a\"}\n");
    }
    return Files.writeString(dir.resolve("train.jsonl"), sb.toString());
  }

  @Test
  void aCorruptImageInRow3FailsBeforeTrainingOrIsDroppedAndCounted() throws Exception {
    Path ds = dataset("img/0.png", "img/1.png", "img/2.png", "img/3.png");
    for (int i = 0; i < 4; i++) {
      png(tmp.resolve("ds/img/" + i + ".png"));
    }
    byte[] good = Files.readAllBytes(tmp.resolve("ds/img/3.png"));
    Files.write(tmp.resolve("ds/img/3.png"), java.util.Arrays.copyOf(good, good.length / 2)); // truncated
    VirftException e = assertThrows(VirftException.class, () -> DatasetCheck.readAll(ds, "train", false, false));
    assertTrue(e.getMessage().contains(ds + " row 3"), e.getMessage());
    assertTrue(e.getMessage().contains("--skip_bad_rows"), e.getMessage());

    DatasetCheck.Checked c = DatasetCheck.readAll(ds, "train", true, false);
    assertEquals(3, c.samples().size());
    assertEquals(1, c.skipped());
    assertTrue(c.firstProblem().contains("row 3"), c.firstProblem());
  }

  @Test
  void aMissingImageFileIsABadRowToo() throws Exception {
    Path ds = dataset("img/0.png", "img/missing.png");
    png(tmp.resolve("ds/img/0.png"));
    assertThrows(VirftException.class, () -> DatasetCheck.readAll(ds, "train", false, false));
    assertEquals(1, DatasetCheck.readAll(ds, "train", true, false).skipped());
  }

  @Test
  void imagePathsMustStayInsideTheDatasetFolder() throws Exception {
    png(tmp.resolve("outside.png"));
    png(tmp.resolve("ds/in.png"));
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "not an image");
    for (String escape : new String[] {"../outside.png", tmp.resolve("outside.png").toString(),
        "../../../../../../../../" + secret}) {
      Path ds = dataset("in.png", escape);
      VirftException e = assertThrows(VirftException.class, () -> DatasetCheck.readAll(ds, "train", false, false));
      assertTrue(e.getMessage().contains("leads outside the dataset's folder"), e.getMessage());
      assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("--allow_outside_paths"), e.getMessage());
    }
    // A link inside that points outside is outside too.
    Files.createSymbolicLink(tmp.resolve("ds/link.png"), tmp.resolve("outside.png"));
    Path linked = dataset("link.png");
    assertThrows(VirftException.class, () -> DatasetCheck.readAll(linked, "train", false, false));

    Path ds = dataset("in.png", "../outside.png");
    assertEquals(2, DatasetCheck.readAll(ds, "train", false, true).samples().size());
  }
}
