/** Run rows and the LLM calls and tool uses behind them. */
package run.trakr.projector.run;
