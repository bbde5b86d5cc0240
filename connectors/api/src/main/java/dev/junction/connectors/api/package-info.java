/** The connector SPI: what a connector plugin implements and the only Junction package it may import. */
package dev.junction.connectors.api;
