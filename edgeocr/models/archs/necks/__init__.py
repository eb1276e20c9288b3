"""Necks: DB feature pyramid (det) and the BiLSTM sequence encoder (rec)."""

from edgeocr.models.archs.necks.db_fpn import DBFPN
from edgeocr.models.archs.necks.sequence import SequenceEncoder

NECKS = {"DBFPN": DBFPN, "SequenceEncoder": SequenceEncoder}
