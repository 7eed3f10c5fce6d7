"""The report layer: charts, briefs and the generated parameter tables of docs/model.md. It reads
outcome tables and their metadata; it never runs the model."""
