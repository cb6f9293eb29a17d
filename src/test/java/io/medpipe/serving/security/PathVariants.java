package io.medpipe.serving.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The spellings of one path that a router, a proxy and a security rule may read differently: matrix parameters on
 * each segment, percent-encoded letters, encoded slashes, double slashes, dot segments, case and a trailing slash.
 * Spring MVC routes several of them to the same handler (the attack of issue 11 used {@code ;x=1} and {@code %61}).
 */
final class PathVariants {

  private PathVariants() {}

  /** Every variant of an absolute path ({@code /api/v1/admin/keys}), the path itself excluded. */
  static List<String> of(String path) {
    String[] seg = path.substring(1).split("/");
    LinkedHashSet<String> variants = new LinkedHashSet<>();
    for (int i = 0; i < seg.length; i++) {
      String[] s = seg.clone();
      s[i] = s[i] + ";x=1";
      variants.add(join(s));
      s[i] = seg[i] + ";";
      variants.add(join(s));
    }
    for (int i = 0; i < seg.length; i++) {
      int letter = firstLetter(seg[i]);
      if (letter >= 0) {
        String[] s = seg.clone();
        char c = seg[i].charAt(letter);
        s[i] = seg[i].substring(0, letter) + String.format("%%%02x", (int) c) + seg[i].substring(letter + 1);
        variants.add(join(s));
        s[i] = seg[i].substring(0, letter) + String.format("%%%02X", (int) c) + seg[i].substring(letter + 1);
        variants.add(join(s));
      }
    }
    StringBuilder allEncoded = new StringBuilder();
    for (char c : path.toCharArray()) {
      allEncoded.append(Character.isLetter(c) ? String.format("%%%02x", (int) c) : String.valueOf(c));
    }
    variants.add(allEncoded.toString());
    for (int i = 1; i < seg.length; i++) {
      variants.add(joinAt(seg, i, "%2F"));
      variants.add(joinAt(seg, i, "%2f"));
      variants.add(joinAt(seg, i, "//"));
      variants.add(joinAt(seg, i, "/./"));
      variants.add(joinAt(seg, i, "/x/../"));
      variants.add(joinAt(seg, i, "/%2e/"));
      variants.add(joinAt(seg, i, "/%2e%2e/" + seg[i - 1] + "/"));
      variants.add(joinAt(seg, i, "%5C"));
    }
    variants.add("/" + path);
    variants.add("/." + path);
    variants.add(path + "/.");
    variants.add(path.toUpperCase(Locale.ROOT));
    for (int i = 0; i < seg.length; i++) {
      int letter = firstLetter(seg[i]);
      if (letter >= 0) {
        String[] s = seg.clone();
        s[i] = seg[i].substring(0, letter) + Character.toUpperCase(seg[i].charAt(letter))
            + seg[i].substring(letter + 1);
        variants.add(join(s));
      }
    }
    variants.add(path + "/");
    variants.add(path + "//");
    variants.add(path + ";jsessionid=x");
    variants.remove(path);
    return new ArrayList<>(variants);
  }

  private static int firstLetter(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      if (Character.isLetter(segment.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String join(String[] segments) {
    return "/" + String.join("/", segments);
  }

  /** The segments joined by '/', except that {@code separator} stands between segment i-1 and i. */
  private static String joinAt(String[] segments, int i, String separator) {
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < segments.length; j++) {
      sb.append(j == 0 ? "/" : j == i ? separator : "/").append(segments[j]);
    }
    return sb.toString();
  }
}
