package dev.virft.data.synthetic;

import java.util.List;

/** A rendered synthetic image (encoded as an RGBA PNG, like the ViRFT datasets) and its shapes. */
public record Scene(int width, int height, List<Shape> shapes, byte[] png) {}
