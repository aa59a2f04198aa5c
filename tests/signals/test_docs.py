from pathlib import Path

from django.conf import settings

from signals.catalog import CATALOG
from signals.docs import scoring_markdown


def test_docs_scoring_md_is_up_to_date_with_the_catalog():
    path = Path(settings.BASE_DIR) / "docs" / "scoring.md"
    assert path.read_text() == scoring_markdown(), "run: python manage.py scoring_docs"


def test_every_flag_is_documented_with_why_source_and_weight():
    text = scoring_markdown()
    for code, spec in CATALOG.items():
        assert f"`{code}`" in text
        assert spec.source in text and f"**{spec.points}**" in text
