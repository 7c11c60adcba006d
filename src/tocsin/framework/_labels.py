"""The few words of ``tocsin framework``'s tree that are not catalogue text, per language.

These are interface strings, not catalogue content: they move to the interface's message
catalogues (gettext) when those exist (docs/translating.md). Until then a language without
labels here shows English headings around its translated text.
"""

from __future__ import annotations

__all__ = ["labels"]

_ENGLISH = {
    "catalogue": "Tocsin risk-factor catalogue",
    "framework": "Framework of Analysis for Atrocity Crimes (UN, 2014)",
    "not_checked": "{n} of {total} factors' indicators not all checked against the official text",
    "partly_checked": "partly checked",
    "unchecked": "unchecked",
    "common": "common",
    "genocide": "genocide",
    "crimes_against_humanity": "crimes against humanity",
    "war_crimes": "war crimes",
    "structural": "structural",
    "operational": "operational",
    "report": "Risk factors of the report (A/67/929, §§17–26)",
    "triggers": "Triggers (§27)",
    "policies": "Policy options (§§30–64)",
    "steps": "Steps of §71",
    "instruments": "Legal instruments (footnote 4)",
    "started": "{language}: translation started, {percent}% done; the rest is shown in English",
}

_LABELS: dict[str, dict[str, str]] = {
    "en": _ENGLISH,
    "fr": {
        "catalogue": "Catalogue des facteurs de risque de Tocsin",
        "framework": "Cadre d'analyse des atrocités criminelles (ONU, 2014)",
        "not_checked": (
            "pour {n} des {total} facteurs, les indicateurs n'ont pas tous été vérifiés "
            "sur le texte officiel"
        ),
        "partly_checked": "partiellement vérifié",
        "unchecked": "non vérifié",
        "common": "commun",
        "genocide": "génocide",
        "crimes_against_humanity": "crimes contre l'humanité",
        "war_crimes": "crimes de guerre",
        "structural": "structurelle",
        "operational": "opérationnelle",
        "report": "Facteurs de risque du rapport (A/67/929, §§17–26)",
        "triggers": "Éléments déclencheurs (§27)",
        "policies": "Options politiques (§§30–64)",
        "steps": "Mesures du §71",
        "instruments": "Instruments juridiques (note 4)",
        "started": "{language} : traduction commencée, {percent} % faits ; le reste est en anglais",
    },
    "es": {
        "catalogue": "Catálogo de factores de riesgo de Tocsin",
        "framework": "Marco de Análisis de los Crímenes Atroces (ONU, 2014)",
        "not_checked": (
            "en {n} de {total} factores, no todos los indicadores se han cotejado "
            "con el texto oficial"
        ),
        "partly_checked": "cotejado en parte",
        "unchecked": "sin cotejar",
        "common": "común",
        "genocide": "genocidio",
        "crimes_against_humanity": "crímenes de lesa humanidad",
        "war_crimes": "crímenes de guerra",
        "structural": "estructural",
        "operational": "operacional",
        "report": "Factores de riesgo del informe (A/67/929, §§17–26)",
        "triggers": "Factores desencadenantes (§27)",
        "policies": "Opciones de política (§§30–64)",
        "steps": "Medidas del §71",
        "instruments": "Instrumentos jurídicos (nota 4)",
        "started": (
            "{language}: traducción iniciada, {percent} % hecho; el resto se muestra en inglés"
        ),
    },
    "ar": {
        "catalogue": "فهرس عوامل الخطر في Tocsin",
        "framework": "إطار تحليل الجرائم الفظيعة (الأمم المتحدة، 2014)",
        "not_checked": "{n} من {total} عاملاً لم تُطابَق جميع مؤشراتها مع النص الرسمي",
        "partly_checked": "مطابَق جزئياً",
        "unchecked": "غير مطابَق",
        "common": "مشترك",
        "genocide": "الإبادة الجماعية",
        "crimes_against_humanity": "الجرائم ضد الإنسانية",
        "war_crimes": "جرائم الحرب",
        "structural": "هيكلي",
        "operational": "تشغيلي",
        "report": "عوامل الخطر في التقرير (A/67/929، §§17–26)",
        "triggers": "العوامل المحفِّزة (§27)",
        "policies": "خيارات السياسة العامة (§§30–64)",
        "steps": "خطوات الفقرة §71",
        "instruments": "الصكوك القانونية (الحاشية 4)",
        "started": "{language}: بدأت الترجمة، أُنجز {percent}%؛ والباقي معروض بالإنكليزية",
    },
    "ru": {
        "catalogue": "Каталог факторов риска Tocsin",
        "framework": "Основы анализа злодеяний (ООН, 2014)",
        "not_checked": (
            "у {n} из {total} факторов не все индикаторы сверены с официальным текстом"
        ),
        "partly_checked": "сверено частично",
        "unchecked": "не сверено",
        "common": "общий",
        "genocide": "геноцид",
        "crimes_against_humanity": "преступления против человечности",
        "war_crimes": "военные преступления",
        "structural": "структурная",
        "operational": "оперативная",
        "report": "Факторы риска доклада (A/67/929, §§17–26)",
        "triggers": "Провоцирующие факторы (§27)",
        "policies": "Варианты политики (§§30–64)",
        "steps": "Шаги §71",
        "instruments": "Правовые документы (сноска 4)",
        "started": "{language}: перевод начат, готово {percent} %; остальное показано по-английски",
    },
    "zh": {
        "catalogue": "Tocsin 风险因素目录",
        "framework": "暴行罪分析框架（联合国，2014年）",
        "not_checked": "{total} 个因素中有 {n} 个的指标未全部与正式文本核对",
        "partly_checked": "部分核对",
        "unchecked": "未核对",
        "common": "共同",
        "genocide": "灭绝种族罪",
        "crimes_against_humanity": "危害人类罪",
        "war_crimes": "战争罪",
        "structural": "结构性",
        "operational": "行动性",
        "report": "报告所列风险因素（A/67/929，§§17–26）",
        "triggers": "触发因素（§27）",
        "policies": "政策选项（§§30–64）",
        "steps": "第71段所列步骤",
        "instruments": "法律文书（脚注4）",
        "started": "{language}：翻译已开始，完成 {percent}%；其余部分以英文显示",
    },
}


def labels(language: str) -> dict[str, str]:
    """The tree's labels in ``language``, English for any it lacks.

    Examples
    --------
    >>> labels("fr")["war_crimes"], labels("xx")["war_crimes"]
    ('crimes de guerre', 'war crimes')
    """
    return {**_ENGLISH, **_LABELS.get(language, {})}
