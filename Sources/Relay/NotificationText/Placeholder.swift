import Channels
import NotificationRules

// Placeholder: this module is being written (issue #12).
