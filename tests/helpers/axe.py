from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()

# RGAA targets WCAG 2.1 AA; best practices are reported by axe too and kept.
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious or critical violation(s) on {url}"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']}: {node.get('failureSummary', '')[:200]}" for node in violation["nodes"][:5]
        )
    return "\n".join(lines)
