"""Headings and labels of the daily seller report in English, Simplified Chinese and Spanish.

Kept as a small local catalogue (not gettext): the report is rendered in the *seller's*
language, which is independent of the bench's UI language, and labels/ must not depend on the
station's translation machinery. Unknown keys or languages fall back to English, then to the
key itself, so a missing translation never breaks a report.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh-CN", "es")

_STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "Returns inspection report", "zh-CN": "退货检验报告",
              "es": "Informe de inspección de devoluciones"},
    "seller": {"en": "Seller", "zh-CN": "卖家", "es": "Vendedor"},
    "period": {"en": "Period", "zh-CN": "期间", "es": "Periodo"},
    "generated": {"en": "Generated", "zh-CN": "生成时间", "es": "Generado"},
    "summary": {"en": "Summary", "zh-CN": "概要", "es": "Resumen"},
    "inspections": {"en": "Inspections", "zh-CN": "检验数量", "es": "Inspecciones"},
    "refunds": {"en": "Refunds recommended", "zh-CN": "建议退款", "es": "Reembolsos recomendados"},
    "dispositions": {"en": "Dispositions", "zh-CN": "处置方式", "es": "Destinos"},
    "chart_grades": {"en": "Grade distribution", "zh-CN": "等级分布",
                     "es": "Distribución de grados"},
    "chart_reasons": {"en": "Top return reasons", "zh-CN": "主要退货原因",
                      "es": "Principales motivos de devolución"},
    "chart_sku": {"en": "Return reasons by SKU", "zh-CN": "各 SKU 的退货原因",
                  "es": "Motivos de devolución por SKU"},
    "all_inspections": {"en": "All inspections", "zh-CN": "全部检验记录",
                        "es": "Todas las inspecciones"},
    "no_inspections": {
        "en": "No inspections were finalized for this seller in this period.",
        "zh-CN": "该期间内没有此卖家的已完成检验。",
        "es": "No se finalizó ninguna inspección de este vendedor en este periodo.",
    },
    "col_time": {"en": "Finished", "zh-CN": "完成时间", "es": "Fin"},
    "col_rma": {"en": "RMA", "zh-CN": "退货单", "es": "RMA"},
    "col_sku": {"en": "SKU", "zh-CN": "SKU", "es": "SKU"},
    "col_title": {"en": "Item", "zh-CN": "商品", "es": "Artículo"},
    "col_grade": {"en": "Grade", "zh-CN": "等级", "es": "Grado"},
    "col_disposition": {"en": "Disposition", "zh-CN": "处置", "es": "Destino"},
    "col_refund": {"en": "Refund", "zh-CN": "退款", "es": "Reembolso"},
    "col_responsibility": {"en": "Responsible", "zh-CN": "责任方", "es": "Responsable"},
    "col_stated": {"en": "Stated reason", "zh-CN": "客户退货原因", "es": "Motivo declarado"},
    "col_reasons": {"en": "Findings", "zh-CN": "检验结论", "es": "Hallazgos"},
    "col_lpn": {"en": "LPN", "zh-CN": "LPN", "es": "LPN"},
    "page": {"en": "Page", "zh-CN": "页", "es": "Página"},
    "count": {"en": "Returns", "zh-CN": "退货数", "es": "Devoluciones"},
    "none": {"en": "none", "zh-CN": "无", "es": "ninguno"},
    # stated reason codes (the customer's words, as the marketplace coded them)
    "reason:size": {"en": "Size", "zh-CN": "尺码不合", "es": "Talla"},
    "reason:changed_mind": {"en": "Changed mind", "zh-CN": "不想要了", "es": "Cambio de opinión"},
    "reason:not_as_described": {"en": "Not as described", "zh-CN": "与描述不符",
                                "es": "No es como se describe"},
    "reason:colour": {"en": "Colour", "zh-CN": "颜色", "es": "Color"},
    "reason:defect": {"en": "Defective", "zh-CN": "质量问题", "es": "Defectuoso"},
    "reason:damaged_in_transit": {"en": "Damaged in transit", "zh-CN": "运输损坏",
                                  "es": "Dañado en el transporte"},
    "reason:none": {"en": "Not stated", "zh-CN": "未说明", "es": "Sin motivo"},
    # dispositions and responsibility
    "disp:restock": {"en": "Restock", "zh-CN": "重新入库", "es": "Reponer"},
    "disp:restock_as_graded": {"en": "Restock as graded", "zh-CN": "按等级入库",
                               "es": "Reponer según grado"},
    "disp:repair": {"en": "Repair", "zh-CN": "维修", "es": "Reparar"},
    "disp:refurbish": {"en": "Refurbish", "zh-CN": "翻新", "es": "Reacondicionar"},
    "disp:return_to_seller": {"en": "Return to seller", "zh-CN": "退回卖家",
                              "es": "Devolver al vendedor"},
    "disp:dispose": {"en": "Dispose", "zh-CN": "报废", "es": "Desechar"},
    "disp:quarantine": {"en": "Quarantine", "zh-CN": "隔离待查", "es": "Cuarentena"},
    "resp:customer": {"en": "Customer", "zh-CN": "客户", "es": "Cliente"},
    "resp:carrier": {"en": "Carrier", "zh-CN": "承运商", "es": "Transportista"},
    "resp:manufacturing": {"en": "Manufacturing", "zh-CN": "生产", "es": "Fabricación"},
    "resp:warehouse": {"en": "Warehouse", "zh-CN": "仓库", "es": "Almacén"},
    "refund:full": {"en": "Full", "zh-CN": "全额", "es": "Total"},
    "refund:partial": {"en": "Partial", "zh-CN": "部分", "es": "Parcial"},
    "refund:none": {"en": "None", "zh-CN": "不退款", "es": "Ninguno"},
}  # fmt: skip


def text(key: str, language: str) -> str:
    """The label in ``language``, else English, else a readable form of the key."""
    entry = _STRINGS.get(key)
    if entry is None:
        return key.split(":", 1)[-1].replace("_", " ")
    return entry.get(language) or entry["en"]
