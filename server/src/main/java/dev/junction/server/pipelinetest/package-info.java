/** Pipeline tests: {@code junction-server test} runs an integration's test cases through its steps and routes, in-process. */
package dev.junction.server.pipelinetest;
