"""DEALBOT_PIPELINE_FILE on a team that already has deals, in real `dealbot console` processes:
refused in one sentence (exit 2, nothing changed) while an open deal sits in a dropped stage,
taken once its `[map]` says where such deals go."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

NOW = "2026-03-04T10:00:00+08:00"
STAGES = "".join(f'[[stages]]\nkey = "{key}"\n' for key in ("lead", "trial", "won", "lost"))


def test_a_changed_pipeline_file_is_refused_then_taken_with_a_map(run_dealbot_forked, tmp_path):
    made = run_dealbot_forked(["console"], stdin="@boss new Acme 10k\n@boss move D-1 demo\n"
                                          "@boss new Beta 5k\n@boss lost D-2 price\n", now=NOW)
    assert made.returncode == 0 and "D-2" in made.stdout
    (tmp_path / "pipeline.toml").write_text(STAGES, encoding="utf-8")

    refused = run_dealbot_forked(["console"], stdin="@boss show D-1\n", now=NOW, DEALBOT_PIPELINE_FILE="pipeline.toml")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == ("dealbot console: DEALBOT_PIPELINE_FILE: pipeline.toml: team 'sales' still has "
                              "open deals in stages the file drops: demo (1 open deal); keep those stages or "
                              "map each to a stage of the file under [map] (e.g. demo = \"lead\"), then start "
                              "again\n")
    assert "Stage: Demo" in run_dealbot_forked(["console"], stdin="@boss show D-1\n", now=NOW).stdout  # unchanged

    (tmp_path / "pipeline.toml").write_text(STAGES + '[map]\ndemo = "trial"\n', encoding="utf-8")
    taken = run_dealbot_forked(["console"], stdin="@boss show D-1\n@boss history D-1\n@boss show D-2\n", now=NOW,
                        DEALBOT_PIPELINE_FILE="pipeline.toml")
    assert taken.returncode == 0 and taken.stderr == ""
    assert "Stage: trial" in taken.stdout and "the pipeline file moved it from demo to trial" in taken.stdout
    assert "Stage: lost" in taken.stdout  # the lost deal keeps its stage
