package dev.virft.reward;

import dev.virft.util.VirftException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Rewards by name: the built-in ones plus every {@link Reward} a jar on the class path declares in
 * {@code META-INF/services/dev.virft.reward.Reward}.
 *
 * <p>Names: {@code format}, {@code accuracy_iou}, {@code accuracy_confidence}, {@code accuracy_cls},
 * {@code accuracy_lisa}; the original's ambiguous {@code accuracy} resolves by task (classification →
 * accuracy_cls, grounding → accuracy_lisa) and is an error without one. Appending {@value
 * #GUARDED_SUFFIX} selects a reward's guarded variant.
 */
public final class RewardRegistry {
  public static final String GUARDED_SUFFIX = "@guarded";
  public static final String ACCURACY_ALIAS = "accuracy";
  private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private final Map<String, Reward> rewards = new LinkedHashMap<>();

  private RewardRegistry() {}

  /** The built-in rewards only. */
  public static RewardRegistry builtIn() {
    RewardRegistry r = new RewardRegistry();
    for (Reward reward :
        List.of(
            new DetectionIouReward(),
            new DetectionConfidenceReward(),
            new FormatReward(),
            new ClassificationAccuracyReward(),
            new LisaAccuracyReward())) {
      r.rewards.put(reward.name(), reward);
    }
    return r;
  }

  /** Built-ins plus the plug-ins visible to the context class loader. */
  public static RewardRegistry standard() {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return withPlugins(cl != null ? cl : RewardRegistry.class.getClassLoader());
  }

  /** Built-ins plus the plug-ins {@link ServiceLoader} finds through {@code loader}. */
  public static RewardRegistry withPlugins(ClassLoader loader) {
    RewardRegistry r = builtIn();
    try {
      for (Reward plugin : ServiceLoader.load(Reward.class, loader)) {
        r.register(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new VirftException(
          "META-INF/services/" + Reward.class.getName() + ": cannot load a reward plug-in: "
              + e.getMessage(), e);
    }
    return r;
  }

  /** Adds a reward; its name must be valid and new. */
  public void register(Reward reward) {
    String name = reward.name();
    String where = "reward plug-in " + reward.getClass().getName();
    if (name == null || !VALID_NAME.matcher(name).matches()) {
      throw new VirftException(
          where + ": name() returned '" + name + "', expected letters, digits, '_', '-' or '.'");
    }
    if (rewards.containsKey(name) || name.equals(ACCURACY_ALIAS) || Task.presetNamed(name) != null) {
      throw new VirftException(where + ": name '" + name + "' is already taken");
    }
    rewards.put(name, reward);
  }

  /** Every registered name (without the guarded suffix). */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(rewards.keySet()));
  }

  /**
   * The reward {@code name} means: a registered name, {@code accuracy} resolved by {@code task}
   * (nullable), each optionally followed by {@value #GUARDED_SUFFIX}.
   */
  public Reward get(String name, Task task) {
    boolean guarded = name.endsWith(GUARDED_SUFFIX);
    String base = guarded ? name.substring(0, name.length() - GUARDED_SUFFIX.length()) : name;
    if (base.equals(ACCURACY_ALIAS)) {
      if (task == null || task.accuracyReward() == null) {
        throw new VirftException(
            "--reward_funcs: 'accuracy' is ambiguous"
                + (task == null ? "" : " for task " + task.id())
                + ": use accuracy_cls (classification) or accuracy_lisa (grounding), or give --task"
                + " classification|grounding");
      }
      base = task.accuracyReward();
    }
    Reward reward = rewards.get(base);
    if (reward == null) {
      throw new VirftException(
          "--reward_funcs: unknown reward '" + name + "', expected one of " + String.join(", ", names())
              + ", accuracy, detection, classification, grounding (optionally with " + GUARDED_SUFFIX
              + ")");
    }
    if (!guarded) {
      return reward;
    }
    String resolved = base;
    return reward
        .guarded()
        .orElseThrow(
            () -> new VirftException("--reward_funcs: reward '" + resolved + "' has no guarded variant"));
  }
}
