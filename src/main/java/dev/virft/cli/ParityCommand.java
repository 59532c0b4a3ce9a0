package dev.virft.cli;

import dev.virft.tools.GoldenParity;
import dev.virft.processor.ResizeMode;
import dev.virft.tensor.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virft parity --golden DIR}: our processor and model against a reference dump. */
@Command(
    name = "parity",
    mixinStandardHelpOptions = true,
    description = "Compare the image processor and model with a reference dump (golden.json, "
        + "golden.safetensors, checkpoint/, images): one row per tensor; exit 1 on any failure.")
public final class ParityCommand implements Callable<Integer> {
  @Option(names = "--golden", required = true, description = "Directory of the reference dump.")
  Path golden;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--resize", defaultValue = "torch",
      description = "Image resize: torch (transformers 5 default) or pil (default: ${DEFAULT-VALUE}).")
  String resize;

  @Override
  public Integer call() {
    GoldenParity parity = new GoldenParity(golden, Device.parse(device), ResizeMode.parse(resize));
    List<GoldenParity.Row> rows = parity.run();
    int width = 4;
    for (GoldenParity.Row r : rows) {
      width = Math.max(width, r.name().length());
    }
    String fmt = "%-" + width + "s  %-28s  %-22s  %s%n";
    System.out.printf(fmt, "tensor", "diff", "tolerance", "result");
    int failed = 0;
    for (GoldenParity.Row r : rows) {
      System.out.printf(fmt, r.name(), r.metric(), r.tolerance(), r.pass() ? "PASS" : "FAIL");
      failed += r.pass() ? 0 : 1;
    }
    for (String note : parity.notes()) {
      System.out.println("note: " + note);
    }
    System.out.println(failed == 0 ? "parity: all " + rows.size() + " tensors PASS"
        : "parity: " + failed + " of " + rows.size() + " tensors FAIL");
    return failed == 0 ? 0 : 1;
  }
}
