-- The reference for V10's time (BENCHMARKS.md): the same rows written once into tables with the
-- same indexes, in one transaction (psql -1 -f). Drop the ref_ tables after.
CREATE TABLE ref_runs (LIKE runs INCLUDING ALL);
CREATE TABLE ref_llm_calls (LIKE llm_calls INCLUDING ALL);
CREATE TABLE ref_tool_uses (LIKE tool_uses INCLUDING ALL);
INSERT INTO ref_runs SELECT * FROM runs;
INSERT INTO ref_llm_calls SELECT * FROM llm_calls;
INSERT INTO ref_tool_uses SELECT * FROM tool_uses;
