"""Qt-free core of the returns-inspection station: domain model, persistence, services, CLI."""
