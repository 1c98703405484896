/**
 * Scenarios, the real-stack harness, the virtual-time engine, metrics and reports. Not yet
 * implemented; see the open simulations issue.
 */
package org.grapevine.simulations;
