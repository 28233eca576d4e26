from pathlib import Path

from notifications import SERVICE
from notifications.adapters.encrypted_columns import ENCRYPTED_COLUMNS
from notifications.app import create_app
from notifications.settings import NotificationsSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=NotificationsSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
        encrypted_columns=ENCRYPTED_COLUMNS,
    )


if __name__ == "__main__":
    main()
