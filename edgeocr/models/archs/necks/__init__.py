"""Necks: DB feature pyramids (det: DBFPN, RSEFPN) and sequence encoders (rec: BiLSTM, SVTR)."""

from edgeocr.models.archs.necks.db_fpn import DBFPN
from edgeocr.models.archs.necks.rse_fpn import RSEFPN
from edgeocr.models.archs.necks.sequence import SequenceEncoder

NECKS = {"DBFPN": DBFPN, "RSEFPN": RSEFPN, "SequenceEncoder": SequenceEncoder}
