package io.medpipe;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class MedpipeApplication {
  public static void main(String[] args) {
    SpringApplication.run(MedpipeApplication.class, args);
  }
}
