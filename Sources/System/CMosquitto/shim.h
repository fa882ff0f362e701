#ifndef FLIGHTEDGE_CMOSQUITTO_SHIM_H
#define FLIGHTEDGE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
