/** The lab's reports of scenario results: a terminal table, JSON, and self-contained HTML pages with SVG charts. */
@NullMarked
package dev.blastwall.lab.report;

import org.jspecify.annotations.NullMarked;
