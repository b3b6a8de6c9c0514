"""Local validation: measure the assistant on a clinic's own labelled documents (`emr-assist evaluate`).

labels  — the labels file format and its loader      metrics — CER, word/token F1, not_documented accuracy
configs — named engine setups                        runner  — runs configs over documents, resumable
report  — Markdown + self-contained HTML             command — the CLI subcommand (light at import)
corpus  — public notes in ../shared/data (development only: benchmarks and the starter set)
"""
