package org.grapevine.node.api;

/**
 * The frame of every web page: a skip link, the navigation (with the unread notifications count,
 * kept live by app.js), one {@code main}, the stylesheet and the script from {@code /static/}. No
 * inline script or style: the Content-Security-Policy forbids both.
 */
final class WebLayout {
  /** The screens in the navigation, in order: path and label. */
  private static final String[][] NAV = {
    {"/", "Home"},
    {"/feeds", "Feeds"},
    {"/notifications", "Notifications"},
    {"/search", "Search"},
    {"/me", "Profile"},
    {"/peers", "Peers"},
    {"/settings", "Settings"},
  };

  private WebLayout() {}

  /**
   * A signed-in page.
   *
   * @param current the nav path of this screen (marked {@code aria-current}); null for none
   * @param unread unread notifications, shown next to "Notifications"
   * @param me the signed-in identity's name (user input: escaped here), null for none
   */
  static String page(String title, String current, long unread, String me, String body) {
    StringBuilder nav = new StringBuilder("<nav aria-label=\"Main\"><ul>\n");
    for (String[] item : NAV) {
      nav.append("<li><a href=\"").append(item[0]).append('"');
      if (item[0].equals(current)) {
        nav.append(" aria-current=\"page\"");
      }
      nav.append('>').append(item[1]);
      if (item[0].equals("/notifications")) {
        nav.append(" <span id=\"unread\" class=\"badge\" data-count=\"")
            .append(unread)
            .append("\">")
            .append(unread > 0 ? unread + " unread" : "")
            .append("</span>");
      }
      nav.append("</a></li>\n");
    }
    nav.append("<li><a class=\"button\" href=\"/compose\">Write</a></li>\n</ul></nav>\n");
    return head(title, true)
        + "<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"top\">"
        + "<a class=\"brand\" href=\"/\">Grapevine</a>\n<p class=\"me\">Signed in as <a"
        + " href=\"/me\">"
        + (me == null ? "(no name yet)" : WebGuard.escape(me))
        + "</a></p>\n"
        + nav
        + "</header>\n<main id=\"main\" tabindex=\"-1\">\n"
        + body
        + "\n</main>\n<div id=\"live\" class=\"visually-hidden\" aria-live=\"polite\"></div>\n"
        + "</body>\n</html>\n";
  }

  /** A page outside the signed-in app (sign-in, a used link): no navigation, no script. */
  static String plain(String title, String body) {
    return head(title, false) + "<main id=\"main\">\n" + body + "\n</main>\n</body>\n</html>\n";
  }

  private static String head(String title, boolean script) {
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // An empty icon: else the browser asks for /favicon.ico by itself and logs the 404.
        + "<link rel=\"icon\" href=\"data:,\">\n<title>"
        + WebGuard.escape(title)
        + " · Grapevine</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
        + (script ? "<script src=\"/static/app.js\" defer></script>\n" : "")
        + "</head>\n<body>\n";
  }
}
