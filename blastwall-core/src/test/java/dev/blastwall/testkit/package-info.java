/** Test support shared by core's tests: a seeded property-check runner. */
@NullMarked
package dev.blastwall.testkit;

import org.jspecify.annotations.NullMarked;
