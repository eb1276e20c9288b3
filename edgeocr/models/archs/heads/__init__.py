"""Heads: DB (det), CTC (rec), classification (cls)."""

from edgeocr.models.archs.heads.cls_head import ClsHead
from edgeocr.models.archs.heads.ctc_head import CTCHead
from edgeocr.models.archs.heads.db_head import DBHead

HEADS = {"DBHead": DBHead, "CTCHead": CTCHead, "ClsHead": ClsHead}
