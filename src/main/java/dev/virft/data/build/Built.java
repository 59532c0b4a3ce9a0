package dev.virft.data.build;

import dev.virft.data.Sample;

/**
 * A dataset a builder planned: the rows (images loaded lazily, one at a time, when iterated) and
 * the summary of what they are.
 */
public record Built(Iterable<Sample> rows, BuildSummary summary) {}
