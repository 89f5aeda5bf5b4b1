"""alertmanager.yml: a webhook receiver always; Slack and PagerDuty when configured.

Secrets never enter the file: Slack's URL and PagerDuty's routing key are read from
files (``api_url_file``, ``routing_key_file``) that `up` fills from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["alertmanager_config", "configured_secrets"]

# environment variable -> secret file name
_SECRETS = {"SLACK_WEBHOOK_URL": "slack_webhook_url", "PAGERDUTY_ROUTING_KEY": "pagerduty_key"}


def configured_secrets(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The receivers' secrets set in the environment: {variable: secret file name}."""
    environ = os.environ if env is None else env
    return {var: name for var, name in _SECRETS.items() if environ.get(var, "").strip()}


def alertmanager_config(
    settings: Mapping[str, Any],
    *,
    webhook_url: str,
    secrets_dir: str,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Route every alert to the webhook, Slack (if set) and critical ones to PagerDuty."""
    environ = os.environ if env is None else env
    secrets = configured_secrets(environ)
    receivers: list[dict[str, Any]] = [
        {"name": "webhook", "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}
    ]
    routes: list[dict[str, Any]] = [{"receiver": "webhook", "continue": True}]
    if "SLACK_WEBHOOK_URL" in secrets:
        slack: dict[str, Any] = {
            "api_url_file": f"{secrets_dir}/{_SECRETS['SLACK_WEBHOOK_URL']}",
            "send_resolved": True,
            "title": "{{ .CommonAnnotations.summary }}",
            "text": "{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}",
        }
        channel = environ.get("SLACK_CHANNEL", "").strip()
        if channel:
            slack["channel"] = channel
        receivers.append({"name": "slack", "slack_configs": [slack]})
        routes.append({"receiver": "slack", "continue": True})
    if "PAGERDUTY_ROUTING_KEY" in secrets:
        key_file = f"{secrets_dir}/{_SECRETS['PAGERDUTY_ROUTING_KEY']}"
        receivers.append(
            {"name": "pagerduty", "pagerduty_configs": [{"routing_key_file": key_file}]}
        )
        routes.append({"receiver": "pagerduty", "matchers": ['severity="critical"']})
    return {
        "route": {
            "receiver": "webhook",
            "group_by": ["alertname", "job"],
            "group_wait": settings["group_wait"],
            "group_interval": settings["group_interval"],
            "repeat_interval": settings["repeat_interval"],
            "routes": routes,
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "job"],
            }
        ],
        "receivers": receivers,
    }
